using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace TicketLedger.Reference;

public sealed record ReferenceResponse(
    IReadOnlyList<ReferenceItem> Categories, IReadOnlyList<ReferenceItem> Departments, IReadOnlyList<ReferenceItem> Bureaus);

/// <summary>Every authenticated role may read the codes it needs to fill in or interpret a ticket.</summary>
public static class GetReferenceEndpoint
{
    [NotTenanted]
    [WolverineGet("/api/reference", OperationId = "GetReference"), Tags("reference")]
    public static ReferenceResponse Get(ReferenceData reference) =>
        new(reference.Categories, reference.Departments, reference.Bureaus);
}
