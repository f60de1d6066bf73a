using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Ledger;

/// <summary>
/// The district's ledger (docs/ledger.md, "The district"): a row per office the key may use, each with every figure of
/// that office's own ledger, and their total. `asOf` is the date asked for or, live, the latest of the offices' todays.
/// </summary>
public sealed record DistrictLedger(DateOnly AsOf, DateTimeOffset? KnownAt, string District, IReadOnlyList<OfficeLedger> Offices, DistrictTotal Total)
{
    /// <summary>The offices the caller's key may use, read in one go.</summary>
    public static async Task<DistrictLedger> Read(LedgerQuery ledger, Offices offices, ClaimsPrincipal user, LedgerPoint point, CancellationToken cancellation) =>
        From(offices.DistrictName, point, await ledger.Read(DistrictAccess.OfficesOf(user, offices), point, cancellation));

    public static DistrictLedger From(string district, LedgerPoint point, IReadOnlyList<LedgerReading> readings)
    {
        var asOf = point.AsOf ?? readings.Max(r => r.Figures.AsOf);
        return new DistrictLedger(asOf, point.KnownAt, district, readings.Select(OfficeLedger.Of).ToList(), DistrictTotal.Of(asOf, point.KnownAt, readings));
    }
}

/// <summary>One office's row: its code and name, then its figures exactly as `GET /api/ledger` gives them for it.</summary>
public sealed record OfficeLedger(
    string Office, string Name, DateOnly AsOf, DateTimeOffset? KnownAt,
    VisitFigures Visits, TicketFigures Tickets, ResumptionFigures Resumption, FundFigures Funds, LedgerProvenance Provenance) : ILedgerFigures
{
    public static OfficeLedger Of(LedgerReading reading)
    {
        var f = reading.Figures;
        return new OfficeLedger(reading.Office.Code, reading.Office.Name, f.AsOf, f.KnownAt, f.Visits, f.Tickets, f.Resumption, f.Funds, f.Provenance);
    }
}

/// <summary>
/// The offices' metrics added up and every figure computed from the sum, so a rate is the rate of the district, never an
/// average of the offices' rates. The first enterprise to resume is the district's first; the provenance is that of
/// the office read furthest, whose chain head covers every office's events up to it.
/// </summary>
public sealed record DistrictTotal(
    DateOnly AsOf, DateTimeOffset? KnownAt,
    VisitFigures Visits, TicketFigures Tickets, ResumptionFigures Resumption, FundFigures Funds, LedgerProvenance Provenance) : ILedgerFigures
{
    public static DistrictTotal Of(DateOnly asOf, DateTimeOffset? knownAt, IReadOnlyList<LedgerReading> readings)
    {
        var sum = new Counters();
        foreach (var reading in readings) sum.AddAll(reading.Counters);
        var first = readings.Select(r => r.Figures.Resumption.FirstResumed).OfType<FirstResumption>().MinBy(f => f.ResumedOn);
        var furthest = readings.Select(r => r.Figures.Provenance).MaxBy(p => p.LastSequence)!;
        return new DistrictTotal(asOf, knownAt,
            VisitFigures.From(sum), TicketFigures.From(sum), ResumptionFigures.From(sum, first), FundFigures.From(sum), furthest);
    }
}

public static class GetDistrictLedgerEndpoint
{
    public static ProblemDetails Validate(string? asOf, string? knownAt, ClaimsPrincipal user, Offices offices)
    {
        var refused = DistrictAccess.Problem(user, offices);
        return ReferenceEquals(refused, WolverineContinue.NoProblems) ? LedgerPoint.Problem(asOf, knownAt) : refused;
    }

    [NotTenanted]
    [WolverineGet("/api/district/ledger", OperationId = "GetDistrictLedger", Summary = "Every office's ledger the key may use and their total (asOf, knownAt as for the ledger)")]
    [Tags("district")]
    [Authorize(Policy = Policies.Read)]
    public static Task<DistrictLedger> Get(
        string? asOf, string? knownAt, LedgerQuery ledger, Offices offices, ClaimsPrincipal user, CancellationToken cancellation) =>
        DistrictLedger.Read(ledger, offices, user, LedgerPoint.From(new QueryValues(), asOf, knownAt), cancellation);
}
