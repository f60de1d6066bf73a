using System.Diagnostics;

namespace TicketLedger.Benchmarks;

/// <summary>
/// Exact percentiles: every latency of a run is kept (a few hundred thousand longs at most) and sorted once, so p99
/// is a measured request and not a bucket boundary.
/// </summary>
public sealed class Latency
{
    private readonly List<long> _ticks = new(1 << 16);

    public void Record(long elapsedTicks) => _ticks.Add(elapsedTicks);

    public int Count => _ticks.Count;

    public static Summary Summarise(IEnumerable<Latency> recorders, int errors, TimeSpan duration)
    {
        var all = recorders.SelectMany(r => r._ticks).Order().ToArray();
        double Ms(double p) => all.Length == 0 ? double.NaN
            : all[Math.Clamp((int)Math.Ceiling(p * all.Length) - 1, 0, all.Length - 1)] * 1000.0 / Stopwatch.Frequency;
        return new Summary(all.Length, errors, all.Length / duration.TotalSeconds, Ms(0.50), Ms(0.95), Ms(0.99), Ms(1.0));
    }
}

public sealed record Summary(int Requests, int Errors, double PerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public override string ToString() => $"{PerSecond,8:F0}/s  p50 {P50Ms,7:F2} ms  p95 {P95Ms,7:F2} ms  p99 {P99Ms,7:F2} ms  max {MaxMs,7:F1} ms  errors {Errors}";
}
