using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Audit;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Ledger;

/// <summary>
/// `asOf` and `knownAt` arrive as text so a malformed value is a 400 naming the field, instead of Wolverine
/// quietly binding it to its default and answering the live ledger.
/// </summary>
public static class GetLedgerEndpoint
{
    public static ProblemDetails Validate(string? asOf, string? knownAt)
    {
        return LedgerParameters.Problem(LedgerParameters.Errors(asOf, knownAt));
    }

    [WolverineGet("/api/ledger", OperationId = "GetLedger", Summary = "The live ledger, or as it stood on a business date (asOf) and as recorded by an instant (knownAt)")]
    [Tags("Ledger")]
    [Authorize(Policy = Policies.Read)]
    public static Task<LedgerFigures> Get(string? asOf, string? knownAt, IQuerySession session, Office office, TimeProvider clock, AuditChain chain, CancellationToken cancellation) =>
        new LedgerQuery(session, office, clock, chain).Read(LedgerParameters.Date(asOf), LedgerParameters.Instant(knownAt), cancellation);
}

public static class LedgerParameters
{
    public static ProblemDetails Problem(Dictionary<string, string[]> errors) =>
        errors.Count == 0 ? WolverineContinue.NoProblems : new ValidationProblemDetails(errors) { Status = 400, Title = "One or more fields are invalid." };

    public static Dictionary<string, string[]> Errors(string? asOf, string? knownAt)
    {
        var errors = new Dictionary<string, string[]>();
        if (!string.IsNullOrWhiteSpace(asOf) && Date(asOf) is null) errors["asOf"] = ["Give a date as yyyy-MM-dd."];
        if (!string.IsNullOrWhiteSpace(knownAt) && Instant(knownAt) is null) errors["knownAt"] = ["Give an ISO-8601 timestamp with offset, e.g. 2020-03-13T18:00:00+08:00."];
        return errors;
    }

    public static DateOnly? Date(string? value) =>
        DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    public static DateTimeOffset? Instant(string? value) =>
        DateTimeOffset.TryParse(value?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? instant : null;
}
