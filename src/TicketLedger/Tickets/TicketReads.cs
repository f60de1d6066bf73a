using System.Collections.Concurrent;
using System.Diagnostics;
using Marten;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

/// <summary>
/// The ticket a change decides on (docs/ticket-lifecycle.md, "Group commit"). The requests of an office that arrive
/// while its last read is in flight are read together in one statement, as their changes are committed together: one
/// connection checkout and one statement for all of them, where each request read its own. A read is the inline view,
/// which carries the stream version its events follow; what it returns is what Marten's <c>FetchLatest</c> returned.
/// </summary>
public sealed class TicketReads(IDocumentStore store)
{
    /// <summary>Bounds one statement's list of ids; more requests than that in flight in one office take turns.</summary>
    public const int MaxBatchSize = 256;

    /// <summary>
    /// A batch's statement runs outside its requests' traces: its activity continues the trace of a lone read, and links
    /// the reads of a larger batch, as a group commit's does.
    /// </summary>
    public static readonly ActivitySource Tracing = new("TicketLedger.TicketReads");

    private readonly ConcurrentDictionary<string, BatchQueue<PendingRead>> _queues = new();

    /// <summary>
    /// The ticket of the request's office for a change to decide on, or the 404 every ticket route answers, the same for
    /// an unknown ticket, another office's, and one a bureau key may not see (<see cref="TicketAccess"/>).
    /// </summary>
    public async Task<(Ticket, ProblemDetails)> ForChangeAsync(Guid id, HttpContext request)
    {
        var office = CurrentOffice.Of(request) ?? throw new InvalidOperationException("A ticket command runs in an office.");
        return await ReadAsync(office.Code, id, request.RequestAborted) is { } ticket
            ? (ticket, Wolverine.Http.WolverineContinue.NoProblems)
            : (null!, TicketAccess.NotFound(id));
    }

    /// <summary>Reads of the office waiting for its read in flight to end: they form its next statement.</summary>
    public int Waiting(string office) => _queues.TryGetValue(office, out var queue) ? queue.Count(_ => true) : 0;

    public Task<Ticket?> ReadAsync(string office, Guid id, CancellationToken ct)
    {
        var read = new PendingRead(id, Activity.Current?.Context ?? default);
        _queues.GetOrAdd(office, code => new BatchQueue<PendingRead>(MaxBatchSize, batch => ReadTogetherAsync(code, batch), Fail)).Enqueue(read);
        return read.Done.Task.WaitAsync(ct);
    }

    private async Task ReadTogetherAsync(string office, List<PendingRead> batch)
    {
        using var activity = BatchActivity.Start(Tracing, "ticket reads", batch.Select(read => read.Trace).ToList());
        activity?.SetTag("ticketledger.reads.size", batch.Count);
        await using var session = store.QuerySession(office);
        Answer(batch, await session.LoadManyAsync<Ticket>(CancellationToken.None, batch.Select(r => r.Id).Distinct()));
    }

    /// <summary>Each request fails with what failed the statement, as its own read would have (an outage answers 503).</summary>
    private static void Fail(List<PendingRead> batch, Exception error)
    {
        foreach (var read in batch) read.Done.TrySetException(error);
    }

    /// <summary>
    /// Two requests of one ticket in a batch get instances of their own, as their own reads gave them, copied before the
    /// first request goes on with its own.
    /// </summary>
    private static void Answer(List<PendingRead> batch, IReadOnlyList<Ticket> found)
    {
        var byId = found.ToDictionary(ticket => ticket.Id);
        var handedOut = new HashSet<Guid>();
        var answers = batch.Select(read => byId.TryGetValue(read.Id, out var ticket) ? handedOut.Add(read.Id) ? ticket : ticket.Copy() : null).ToList();
        foreach (var (read, answer) in batch.Zip(answers)) read.Done.TrySetResult(answer);
    }

    private sealed class PendingRead(Guid id, ActivityContext trace)
    {
        public Guid Id { get; } = id;
        public ActivityContext Trace { get; } = trace;
        public TaskCompletionSource<Ticket?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
