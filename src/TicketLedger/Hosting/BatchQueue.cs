using System.Diagnostics;

namespace TicketLedger.Hosting;

/// <summary>
/// Work that arrives while the last batch of it is in flight goes into the next batch together (the ticket reads and
/// the group commit, docs/ticket-lifecycle.md, "Group commit"): one drain at a time runs the batches while the queue has
/// work, and an item that finds no drain running starts one, so a lone item waits for nothing.
/// <paramref name="failed"/> answers a batch whose run threw; it must not throw itself, or the queue stops draining.
/// </summary>
public sealed class BatchQueue<T>(int maxBatchSize, Func<List<T>, Task> run, Action<List<T>, Exception> failed)
{
    private readonly Lock _sync = new();
    private readonly Queue<T> _pending = new();
    private bool _draining;

    public void Enqueue(T item)
    {
        lock (_sync)
        {
            _pending.Enqueue(item);
            if (_draining) return;
            _draining = true;
        }
        // The drain outlives the request that starts it and serves others: it must not carry that request's context
        // (its activity, its idempotency claim) along. SuppressFlow throws where flow is already suppressed.
        if (ExecutionContext.IsFlowSuppressed()) _ = Task.Run(DrainAsync);
        else
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(DrainAsync);
    }

    /// <summary>Items waiting for the batch in flight to end: they form the next one.</summary>
    public int Count(Func<T, bool> which)
    {
        lock (_sync) return _pending.Count(which);
    }

    private async Task DrainAsync()
    {
        while (Take() is { } batch)
        {
            try
            {
                await run(batch);
            }
            catch (Exception e)
            {
                failed(batch, e);
            }
        }
    }

    private List<T>? Take()
    {
        lock (_sync)
        {
            if (_pending.Count == 0)
            {
                _draining = false;
                return null;
            }
            var batch = new List<T>(Math.Min(_pending.Count, maxBatchSize));
            while (batch.Count < maxBatchSize && _pending.TryDequeue(out var next)) batch.Add(next);
            return batch;
        }
    }
}

public static class BatchActivity
{
    /// <summary>
    /// A batch runs outside its items' traces (its drain does not flow their context): its activity continues the trace
    /// of a lone item and links the traces of a larger batch.
    /// </summary>
    public static Activity? Start(ActivitySource source, string name, IReadOnlyList<ActivityContext> traces) =>
        source.StartActivity(name, ActivityKind.Internal, traces.Count == 1 ? traces[0] : default,
            links: traces.Count == 1 ? null : traces.Select(trace => new ActivityLink(trace)));
}
