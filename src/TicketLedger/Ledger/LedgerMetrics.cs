namespace TicketLedger.Ledger;

/// <summary>
/// The ledger is a sum of additive counters ("metrics"), each entity (a ticket, a subject) contributing to them
/// from a business date on. Keeping every figure additive is what makes the ledger as of any date a plain sum.
/// </summary>
public static class Metric
{
    public const string Raised = "tickets.raised";
    public const string Resolved = "tickets.resolved";
    public const string Pending = "tickets.pending";
    public const string Overdue = "tickets.overdue";
    public const string RespondedOnTime = "tickets.respondedOnTime";
    public const string ReturnVisits = "tickets.returnVisits";
    public const string Satisfied = "tickets.satisfied";
    public const string CategoryPrefix = "tickets.category.";
    public const string DepartmentPrefix = "tickets.department.";
    public const string EnterprisesVisited = "visits.enterprises";
    public const string SitesVisited = "visits.sites";
    public const string AboveScaleTotal = "resumption.aboveScaleTotal";
    public const string AboveScaleResumed = "resumption.aboveScaleResumed";
    public const string BelowScaleResumed = "resumption.belowScaleResumed";
    public const string KeyProjectsResumed = "resumption.keyProjectsResumed";
    public const string SubjectsResumed = "resumption.subjectsResumed";
    public const string WorkersReturned = "resumption.workersReturned";
    public const string Headcount = "resumption.headcount";
    public const string FundsYuan = "funds.yuan";
    public const string FundsBatchPrefix = "funds.batch.";
}

/// <summary>A set of metric values; missing metrics are zero.</summary>
public sealed class Counters : Dictionary<string, decimal>
{
    public Counters() : base(StringComparer.Ordinal) { }

    public decimal Of(string metric) => TryGetValue(metric, out var value) ? value : 0;

    public void Increase(string metric, decimal amount)
    {
        if (amount == 0) return;
        var sum = Of(metric) + amount;
        if (sum == 0) Remove(metric);
        else this[metric] = sum;
    }

    public void AddAll(IReadOnlyDictionary<string, decimal> other, decimal sign = 1)
    {
        foreach (var (metric, amount) in other) Increase(metric, sign * amount);
    }

    /// <summary>The metrics under a prefix, keyed by the rest of the name (e.g. category codes).</summary>
    public SortedDictionary<string, decimal> Breakdown(string prefix) =>
        new(this.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value), StringComparer.Ordinal);
}
