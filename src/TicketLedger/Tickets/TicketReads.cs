using System.Collections.Concurrent;
using System.Diagnostics;
using Marten;
using Marten.Storage;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

/// <summary>
/// The ticket a change decides on (docs/ticket-lifecycle.md, "Group commit"). The requests of a database's offices that
/// arrive while its last read is in flight are read together in one statement, as their changes are committed
/// together: one connection checkout and one statement for all of them, where each request read its own. Per database,
/// not per office: a district's offices with a few clients each read in batches as large as one busy office's
/// (tests/TicketLedger.Benchmarks/README.md, "A database's reads in one statement"). A read is the inline view, which
/// carries the stream version its events follow; what it returns is what Marten's <c>FetchLatest</c> returned.
/// </summary>
public sealed class TicketReads(IDocumentStore store, Offices offices)
{
    /// <summary>Bounds one statement's list of ids; more requests than that in flight in one database take turns.</summary>
    public const int MaxBatchSize = 256;

    /// <summary>
    /// A batch's statement runs outside its requests' traces: its activity continues the trace of a lone read, and links
    /// the reads of a larger batch, as a group commit's does.
    /// </summary>
    public static readonly ActivitySource Tracing = new("TicketLedger.TicketReads");

    private readonly ConcurrentDictionary<string, BatchQueue<PendingRead>> _queues = new();
    private readonly string _views = store.Options.FindOrResolveDocumentType(typeof(Ticket)).TableName.QualifiedName;

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

    /// <summary>Reads of the office waiting for its database's read in flight to end: they form its next statement.</summary>
    public int Waiting(string office) => _queues.TryGetValue(DatabaseOf(office), out var queue) ? queue.Count(read => read.Office == office) : 0;

    public Task<Ticket?> ReadAsync(string office, Guid id, CancellationToken ct)
    {
        var read = new PendingRead(office, id, Activity.Current?.Context ?? default);
        _queues.GetOrAdd(DatabaseOf(office), _ => new BatchQueue<PendingRead>(MaxBatchSize, ReadTogetherAsync, Fail)).Enqueue(read);
        return read.Done.Task.WaitAsync(ct);
    }

    private string DatabaseOf(string office) => offices.Find(office)?.Database ?? Office.MainDatabase;

    /// <summary>
    /// Each office's tickets by their tenant: the data of a view written before offices existed may name no office, and
    /// one office's request must not find another's ticket of the same id.
    /// </summary>
    private async Task ReadTogetherAsync(List<PendingRead> batch)
    {
        using var activity = BatchActivity.Start(Tracing, "ticket reads", batch.Select(read => read.Trace).ToList());
        activity?.SetTag("ticketledger.reads.size", batch.Count);
        activity?.SetTag("ticketledger.reads.offices", string.Join(',', batch.Select(read => read.Office).Distinct().Order()));
        var database = await store.Storage.FindOrCreateDatabase(batch[0].Office);
        await using var connection = database.CreateConnection(ConnectionUsage.Read);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(
            $"select d.tenant_id, d.data from {_views} as d where d.tenant_id = any($1) and d.id = any($2)", connection)
        {
            Parameters =
            {
                new() { Value = batch.Select(read => read.Office).Distinct().ToArray() },
                new() { Value = batch.Select(read => read.Id).Distinct().ToArray() },
            },
        };
        var found = new Dictionary<(string Office, Guid Id), Ticket>();
        var serializer = store.Options.Serializer();
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        while (await reader.ReadAsync(CancellationToken.None))
        {
            var ticket = serializer.FromJson<Ticket>(reader, 1);
            found[(reader.GetString(0), ticket.Id)] = ticket;
        }
        Answer(batch, found);
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
    private static void Answer(List<PendingRead> batch, Dictionary<(string Office, Guid Id), Ticket> found)
    {
        var handedOut = new HashSet<(string, Guid)>();
        var answers = batch.Select(read => found.TryGetValue((read.Office, read.Id), out var ticket)
            ? handedOut.Add((read.Office, read.Id)) ? ticket : ticket.Copy()
            : null).ToList();
        foreach (var (read, answer) in batch.Zip(answers)) read.Done.TrySetResult(answer);
    }

    private sealed class PendingRead(string office, Guid id, ActivityContext trace)
    {
        public string Office { get; } = office;
        public Guid Id { get; } = id;
        public ActivityContext Trace { get; } = trace;
        public TaskCompletionSource<Ticket?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
