namespace TicketLedger.Ledger;

/// <summary>What a ledger report says, whoever it is for: one office, or a district's total.</summary>
public interface ILedgerFigures
{
    DateOnly AsOf { get; }
    VisitFigures Visits { get; }
    TicketFigures Tickets { get; }
    ResumptionFigures Resumption { get; }
    FundFigures Funds { get; }
}

/// <summary>The ledger as leadership reads it (docs/ledger.md), computed from additive metrics.</summary>
public sealed record LedgerFigures(
    string Office,
    DateOnly AsOf,
    DateTimeOffset? KnownAt,
    VisitFigures Visits,
    TicketFigures Tickets,
    ResumptionFigures Resumption,
    FundFigures Funds,
    LedgerProvenance Provenance) : ILedgerFigures
{
    public static LedgerFigures From(string office, DateOnly asOf, DateTimeOffset? knownAt, Counters c, FirstResumption? firstResumed, LedgerProvenance provenance) =>
        new(office, asOf, knownAt, VisitFigures.From(c), TicketFigures.From(c), ResumptionFigures.From(c, firstResumed), FundFigures.From(c), provenance);
}

/// <summary>Figures are counts of additive metrics; rates divide two of them, so a sum of ledgers recomputes its rates.</summary>
internal static class Figure
{
    public static int Count(this Counters c, string metric) => (int)c.Of(metric);

    /// <summary>Null when there is nothing to divide by: "no return visits yet" is not a 0 % satisfaction rate.</summary>
    public static decimal? Rate(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole, 4);

    public static SortedDictionary<string, int> ToCounts(this SortedDictionary<string, decimal> breakdown) =>
        new(breakdown.ToDictionary(kv => kv.Key, kv => (int)kv.Value), StringComparer.Ordinal);
}

public sealed record VisitFigures(int EnterprisesVisited, int SitesVisited)
{
    public static VisitFigures From(Counters c) => new(c.Count(Metric.EnterprisesVisited), c.Count(Metric.SitesVisited));
}

public sealed record TicketFigures(
    int Raised, int Resolved, int Pending, int Overdue,
    SortedDictionary<string, int> ByCategory, SortedDictionary<string, int> ByDepartment,
    int RespondedOnTime, int ReturnVisits, int Satisfied,
    decimal? ResponseRate, decimal? ResolutionRate, decimal? SatisfactionRate)
{
    public static TicketFigures From(Counters c)
    {
        var raised = c.Count(Metric.Raised);
        var resolved = c.Count(Metric.Resolved);
        var respondedOnTime = c.Count(Metric.RespondedOnTime);
        var returnVisits = c.Count(Metric.ReturnVisits);
        var satisfied = c.Count(Metric.Satisfied);
        return new TicketFigures(
            raised, resolved, c.Count(Metric.Pending), c.Count(Metric.Overdue),
            c.Breakdown(Metric.CategoryPrefix).ToCounts(), c.Breakdown(Metric.DepartmentPrefix).ToCounts(),
            respondedOnTime, returnVisits, satisfied,
            Figure.Rate(respondedOnTime, raised), Figure.Rate(resolved, raised), Figure.Rate(satisfied, returnVisits));
    }
}

public sealed record ResumptionFigures(
    int AboveScaleTotal, int AboveScaleResumed, decimal? AboveScaleRate, int BelowScaleResumed, int KeyProjectsResumed,
    int SubjectsResumed, int WorkersReturned, int Headcount, decimal? ReturnRate, FirstResumption? FirstResumed)
{
    public static ResumptionFigures From(Counters c, FirstResumption? firstResumed)
    {
        var aboveTotal = c.Count(Metric.AboveScaleTotal);
        var aboveResumed = c.Count(Metric.AboveScaleResumed);
        var headcount = c.Of(Metric.Headcount);
        return new ResumptionFigures(
            aboveTotal, aboveResumed, Figure.Rate(aboveResumed, aboveTotal),
            c.Count(Metric.BelowScaleResumed), c.Count(Metric.KeyProjectsResumed), c.Count(Metric.SubjectsResumed),
            c.Count(Metric.WorkersReturned), (int)headcount, Figure.Rate(c.Of(Metric.WorkersReturned), headcount), firstResumed);
    }
}

public sealed record FirstResumption(Guid SubjectId, string Name, DateOnly ResumedOn)
{
    public static FirstResumption? Of(LedgerEntity? entity) =>
        entity is null ? null : new(entity.Id, entity.Name ?? "", DateOnly.FromDayNumber(entity.FirstResumedDay!.Value));
}

public sealed record FundFigures(decimal DisbursedYuan, SortedDictionary<string, decimal> ByBatch)
{
    public static FundFigures From(Counters c) => new(c.Of(Metric.FundsYuan), c.Breakdown(Metric.FundsBatchPrefix));
}

/// <summary>
/// Which events the figures were computed from: the projection had read up to LastSequence; ChainHash is the
/// tamper-evident chain's hash at ChainSequence (the sealed head at or below it), which an auditor can verify with
/// `audit verify --against ChainSequence:ChainHash`.
/// </summary>
public sealed record LedgerProvenance(long LastSequence, DateTimeOffset? LastRecordedAt, long? ChainSequence, string? ChainHash);
