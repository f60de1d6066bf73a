using JasperFx.Events.Projections;

namespace TicketLedger.Hosting;

/// <summary>
/// Every projection is rebuilt (and the async ledger caught up) in pages of 5,000 events instead of Marten's 500: a page
/// costs a few round trips whatever its size, so larger pages mean fewer upsert batches and fewer rewrites of the same
/// documents per million events (benchmark 2026-11-29).
/// </summary>
public static class ProjectionPages
{
    public const int BatchSize = 5_000;
    public const int MaximumHopperSize = 20_000;

    public static void Large(AsyncOptions options)
    {
        options.BatchSize = BatchSize;
        options.MaximumHopperSize = MaximumHopperSize;
    }
}
