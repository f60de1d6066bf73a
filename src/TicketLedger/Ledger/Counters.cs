namespace TicketLedger.Ledger;

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
