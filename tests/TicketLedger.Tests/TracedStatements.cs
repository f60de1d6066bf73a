using System.Collections.Concurrent;
using System.Diagnostics;
using TicketLedger.Tickets;

namespace TicketLedger.Tests;

/// <summary>
/// The statements Npgsql sent in this process, by trace, while it listens; the activities of group commits and of batched
/// ticket reads are listened to, so their statements share their trace, and they and the other sources a caller names
/// are handed to it as they stop.
/// Other collections' hosts run in this process too: a caller picks its trace out.
/// </summary>
public sealed class TracedStatements : IDisposable
{
    private readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<string>> _byTrace = new();
    private readonly ActivityListener _listener;

    public TracedStatements(Action<Activity> stopped, Func<ActivitySource, bool>? alsoListenTo = null)
    {
        // Read before the listener is added: a source first created inside ShouldListenTo is not listened to, and the
        // static is created on first use, which may be this one.
        var groupTracing = TicketGroupCommit.Tracing;
        var readTracing = TicketReads.Tracing;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql" || source == groupTracing || source == readTracing || alsoListenTo?.Invoke(source) == true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Source.Name != "Npgsql") stopped(a);
                else _byTrace.GetOrAdd(a.TraceId, _ => new()).Enqueue(a.GetTagItem("db.query.text") as string ?? a.GetTagItem("db.statement") as string ?? a.DisplayName);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<string> Of(ActivityTraceId trace) => _byTrace.TryGetValue(trace, out var statements) ? statements.ToList() : [];

    public void Dispose() => _listener.Dispose();
}
