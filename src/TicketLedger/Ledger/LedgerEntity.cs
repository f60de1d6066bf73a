using TicketLedger.Tickets;
using System.Text.Json.Serialization;
using TicketLedger.Hosting;
using TicketLedger.Subjects;

namespace TicketLedger.Ledger;

public enum LedgerEntityKind { Ticket, Subject }

public enum LedgerFactType { Raised, Assigned, Replied, Resolved, Reopened, ReturnVisit, Registered, Visited, Resumed, Funded }

/// <summary>
/// One event as the ledger needs it: its business instant and date, and the few values it carries. Every entity
/// document carries all its facts and is rewritten whenever one is added, so the JSON names are one letter and
/// empty values are left out.
/// </summary>
public sealed record LedgerFact(
    [property: JsonPropertyName("s")] long Sequence,
    [property: JsonPropertyName("t")] LedgerFactType Type,
    [property: JsonPropertyName("a")] DateTimeOffset At,
    [property: JsonPropertyName("d")] int Day,
    [property: JsonPropertyName("c"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] string? Code = null,
    [property: JsonPropertyName("m"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] decimal Amount = 0,
    [property: JsonPropertyName("n"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] decimal Headcount = 0,
    [property: JsonPropertyName("f"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Flag = false);

/// <summary>
/// What the ledger knows of one ticket or subject: its facts in business order. From them it derives the entity's
/// contribution to every metric as a step function of the business date, so that a late, back-dated record
/// (a paper form filed a week later) corrects the ledger on the right dates.
/// </summary>
public sealed class LedgerEntity
{
    public Guid Id { get; set; }
    public string Office { get; set; } = "";
    public LedgerEntityKind Kind { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SubjectKind? SubjectKind { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EnterpriseScale? Scale { get; set; }
    public KeyProjectLevel KeyProjectLevel { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? DueBy { get; set; }
    /// <summary>Earliest resumption date, indexed to answer "the first enterprise to resume".</summary>
    public int? FirstResumedDay { get; set; }
    public List<LedgerFact> Facts { get; set; } = [];

    public void Record(LedgerFact fact)
    {
        Facts.Add(fact);
        Facts.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Sequence.CompareTo(b.Sequence));
        FirstResumedDay = Facts.Where(f => f.Type == LedgerFactType.Resumed).Select(f => (int?)f.Day).Min();
    }

    /// <summary>By business day: how much each metric changes on that day (the derivative of the step function).</summary>
    public SortedDictionary<int, Counters> Increments(Office office)
    {
        var days = new SortedSet<int>(Facts.Select(f => f.Day));
        if (DueBy is { } dueBy) days.Add(office.LocalDate(dueBy).DayNumber);

        var increments = new SortedDictionary<int, Counters>();
        var previous = new Counters();
        foreach (var day in days)
        {
            var current = ValueOn(day, office);
            var increment = new Counters();
            increment.AddAll(current);
            increment.AddAll(previous, -1);
            if (increment.Count > 0) increments[day] = increment;
            previous = current;
        }
        return increments;
    }

    private Counters ValueOn(int day, Office office)
    {
        var facts = Facts.Where(f => f.Day <= day).ToList();
        return Kind == LedgerEntityKind.Ticket ? TicketValue(facts, office.EndOfLocalDay(DateOnly.FromDayNumber(day))) : SubjectValue(facts);
    }

    private Counters TicketValue(List<LedgerFact> facts, DateTimeOffset endOfDay)
    {
        var counters = new Counters();
        var raised = facts.FirstOrDefault(f => f.Type == LedgerFactType.Raised);
        if (raised is null) return counters;

        var resolved = false;
        string? department = null;
        foreach (var fact in facts)
        {
            if (fact.Type == LedgerFactType.Resolved) resolved = true;
            else if (fact.Type == LedgerFactType.Reopened) resolved = false;
            else if (fact.Type == LedgerFactType.Assigned) department = fact.Code;
        }
        var replies = facts.Where(f => f.Type is LedgerFactType.Replied or LedgerFactType.Resolved).ToList();
        var returnVisits = facts.Where(f => f.Type == LedgerFactType.ReturnVisit).ToList();

        counters.Increase(Metric.Raised, 1);
        counters.Increase(Metric.CategoryPrefix + raised.Code, 1);
        if (department is not null) counters.Increase(Metric.DepartmentPrefix + department, 1);
        counters.Increase(resolved ? Metric.Resolved : Metric.Pending, 1);
        if (replies.Any(r => r.At <= DueBy)) counters.Increase(Metric.RespondedOnTime, 1);
        if (DueBy is { } due && SameDayRule.IsOverdue(due, replies.Count > 0 ? replies.Min(r => r.At) : null, endOfDay)) counters.Increase(Metric.Overdue, 1);
        counters.Increase(Metric.ReturnVisits, returnVisits.Count);
        counters.Increase(Metric.Satisfied, returnVisits.Count(r => r.Flag));
        return counters;
    }

    private Counters SubjectValue(List<LedgerFact> facts)
    {
        var counters = new Counters();
        if (facts.Any(f => f.Type == LedgerFactType.Visited))
            counters.Increase(SubjectKind == Subjects.SubjectKind.Site ? Metric.SitesVisited : Metric.EnterprisesVisited, 1);
        if (Scale == EnterpriseScale.Above && facts.Any(f => f.Type == LedgerFactType.Registered))
            counters.Increase(Metric.AboveScaleTotal, 1);

        var latestResumption = facts.Where(f => f.Type == LedgerFactType.Resumed).OrderBy(f => f.Day).ThenBy(f => f.Sequence).LastOrDefault();
        if (latestResumption is not null)
        {
            counters.Increase(Metric.SubjectsResumed, 1);
            if (Scale == EnterpriseScale.Above) counters.Increase(Metric.AboveScaleResumed, 1);
            if (Scale == EnterpriseScale.Below) counters.Increase(Metric.BelowScaleResumed, 1);
            if (SubjectKind == Subjects.SubjectKind.Site && KeyProjectLevel != KeyProjectLevel.None) counters.Increase(Metric.KeyProjectsResumed, 1);
            counters.Increase(Metric.WorkersReturned, latestResumption.Amount);
            counters.Increase(Metric.Headcount, latestResumption.Headcount);
        }
        foreach (var fund in facts.Where(f => f.Type == LedgerFactType.Funded))
        {
            counters.Increase(Metric.FundsYuan, fund.Amount);
            counters.Increase(Metric.FundsBatchPrefix + fund.Code, fund.Amount);
        }
        return counters;
    }

    /// <summary>What changed between two versions of the step function, by day.</summary>
    public static SortedDictionary<int, Counters> Difference(SortedDictionary<int, Counters> before, SortedDictionary<int, Counters> after)
    {
        var delta = new SortedDictionary<int, Counters>();
        foreach (var day in before.Keys.Union(after.Keys))
        {
            var change = new Counters();
            if (after.TryGetValue(day, out var added)) change.AddAll(added);
            if (before.TryGetValue(day, out var removed)) change.AddAll(removed, -1);
            if (change.Count > 0) delta[day] = change;
        }
        return delta;
    }
}
