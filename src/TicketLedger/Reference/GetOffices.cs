using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Reference;

/// <summary>The offices a key may use; with two or more, the district routes read across them under the district's name.</summary>
public sealed record OfficesResponse(string District, IReadOnlyList<OfficeItem> Offices);

public sealed record OfficeItem(string Code, string Name, string TimeZone);

/// <summary>
/// Every authenticated role may ask which offices its key may use, and nothing of the others: the dashboard offers a
/// choice of office, and the district, when there are two or more (docs/dashboard.md).
/// </summary>
public static class GetOfficesEndpoint
{
    [NotTenanted]
    [WolverineGet("/api/offices", OperationId = "GetOffices", Summary = "The offices the key may use, in the order they are configured"), Tags("reference")]
    public static OfficesResponse Get(ClaimsPrincipal user, Offices offices) =>
        new(offices.DistrictName, CurrentOffice.AllowedFor(user, offices).Select(o => new OfficeItem(o.Code, o.Name, o.TimeZone.Id)).ToList());
}
