using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Ledger;

public static class GetLedgerEndpoint
{
    public static ProblemDetails Validate(string? asOf, string? knownAt) => LedgerPoint.Problem(asOf, knownAt);

    [WolverineGet("/api/ledger", OperationId = "GetLedger", Summary = "The live ledger, or as it stood on a business date (asOf) and as recorded by an instant (knownAt)")]
    [Tags("ledger")]
    [Authorize(Policy = Policies.Read)]
    public static Task<LedgerFigures> Get(string? asOf, string? knownAt, LedgerQuery ledger, Office office, CancellationToken cancellation) =>
        ledger.Read(office, LedgerPoint.From(new QueryValues(), asOf, knownAt), cancellation);
}

/// <summary>Which ledger a read asks for: as of the end of a business date, as recorded by an instant; both absent is the live one.</summary>
public sealed record LedgerPoint(DateOnly? AsOf, DateTimeOffset? KnownAt)
{
    public static LedgerPoint From(QueryValues query, string? asOf, string? knownAt) => new(query.Date("asOf", asOf), query.Timestamp("knownAt", knownAt));

    /// <summary>For the Validate methods of the routes that take no more than a ledger point.</summary>
    public static ProblemDetails Problem(string? asOf, string? knownAt)
    {
        var query = new QueryValues();
        From(query, asOf, knownAt);
        return query.Problem();
    }
}
