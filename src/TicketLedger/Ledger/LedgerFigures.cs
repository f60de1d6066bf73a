namespace TicketLedger.Ledger;

/// <summary>The ledger as leadership reads it (docs/ledger.md), computed from additive metrics.</summary>
public sealed record LedgerFigures(
    string Office,
    DateOnly AsOf,
    DateTimeOffset? KnownAt,
    VisitFigures Visits,
    TicketFigures Tickets,
    ResumptionFigures Resumption,
    FundFigures Funds,
    LedgerProvenance Provenance)
{
    public static LedgerFigures From(string office, DateOnly asOf, DateTimeOffset? knownAt, Counters c, LedgerEntity? firstResumed, LedgerProvenance provenance)
    {
        int Count(string metric) => (int)c.Of(metric);
        var raised = Count(Metric.Raised);
        var returnVisits = Count(Metric.ReturnVisits);
        var aboveTotal = Count(Metric.AboveScaleTotal);
        var headcount = c.Of(Metric.Headcount);
        return new LedgerFigures(
            office, asOf, knownAt,
            new VisitFigures(Count(Metric.EnterprisesVisited), Count(Metric.SitesVisited)),
            new TicketFigures(
                raised, Count(Metric.Resolved), Count(Metric.Pending), Count(Metric.Overdue),
                ToCounts(c.Breakdown(Metric.CategoryPrefix)), ToCounts(c.Breakdown(Metric.DepartmentPrefix)),
                Count(Metric.RespondedOnTime), returnVisits, Count(Metric.Satisfied),
                Rate(Count(Metric.RespondedOnTime), raised), Rate(Count(Metric.Resolved), raised), Rate(Count(Metric.Satisfied), returnVisits)),
            new ResumptionFigures(
                aboveTotal, Count(Metric.AboveScaleResumed), Rate(Count(Metric.AboveScaleResumed), aboveTotal),
                Count(Metric.BelowScaleResumed), Count(Metric.KeyProjectsResumed), Count(Metric.SubjectsResumed),
                Count(Metric.WorkersReturned), (int)headcount, Rate(c.Of(Metric.WorkersReturned), headcount),
                firstResumed is null ? null : new FirstResumption(firstResumed.Id, firstResumed.Name ?? "", DateOnly.FromDayNumber(firstResumed.FirstResumedDay!.Value))),
            new FundFigures(c.Of(Metric.FundsYuan), c.Breakdown(Metric.FundsBatchPrefix)),
            provenance);
    }

    private static SortedDictionary<string, int> ToCounts(SortedDictionary<string, decimal> breakdown) =>
        new(breakdown.ToDictionary(kv => kv.Key, kv => (int)kv.Value), StringComparer.Ordinal);

    /// <summary>Null when there is nothing to divide by: "no return visits yet" is not a 0 % satisfaction rate.</summary>
    private static decimal? Rate(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole, 4);
}

public sealed record VisitFigures(int EnterprisesVisited, int SitesVisited);

public sealed record TicketFigures(
    int Raised, int Resolved, int Pending, int Overdue,
    SortedDictionary<string, int> ByCategory, SortedDictionary<string, int> ByDepartment,
    int RespondedOnTime, int ReturnVisits, int Satisfied,
    decimal? ResponseRate, decimal? ResolutionRate, decimal? SatisfactionRate);

public sealed record ResumptionFigures(
    int AboveScaleTotal, int AboveScaleResumed, decimal? AboveScaleRate, int BelowScaleResumed, int KeyProjectsResumed,
    int SubjectsResumed, int WorkersReturned, int Headcount, decimal? ReturnRate, FirstResumption? FirstResumed);

public sealed record FirstResumption(Guid SubjectId, string Name, DateOnly ResumedOn);

public sealed record FundFigures(decimal DisbursedYuan, SortedDictionary<string, decimal> ByBatch);

/// <summary>
/// Which events the figures were computed from: the projection had read up to LastSequence; ChainHash is the
/// tamper-evident chain's hash at ChainSequence (the sealed head at or below it), which an auditor can verify with
/// `audit verify --against ChainSequence:ChainHash`.
/// </summary>
public sealed record LedgerProvenance(long LastSequence, DateTimeOffset? LastRecordedAt, long? ChainSequence, string? ChainHash);
