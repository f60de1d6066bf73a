using System.Collections.Concurrent;
using System.Diagnostics;
using JasperFx.Events;
using Marten;
using Marten.Internal.Sessions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketLedger.Hosting;
using Wolverine;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace TicketLedger.Tickets;

/// <summary>
/// Ticket commands over HTTP commit in groups (docs/ticket-lifecycle.md, "Group commit"). The raises of the offices of
/// one database that arrive while its last group of raises commits are committed together in one transaction, and so
/// are its changes: one WAL flush for all of them, and for raises one turn on each counter row, where commands
/// committed one by one queue on each other's flush.
/// Each command is still validated and decided on its own request, and carries its own correlation id, actor,
/// idempotency claim and messages into the group; the group looks their keys up, so a repeat leaves it before anything
/// is appended. A group that fails commits nothing, and each of its commands then
/// commits alone, so a failure (two requests of one key in flight, a change that lost its race) reaches only the
/// request that caused it.
/// </summary>
public sealed class TicketGroupCommit(OutboxedSessionFactory sessions, IWolverineRuntime runtime, TicketNumberGate gate,
    IDocumentStore store, Offices offices, IOptions<JsonOptions> json, ILogger<TicketGroupCommit> logger)
{
    /// <summary>Bounds one transaction's size; 32 clients fit in one group.</summary>
    public const int MaxGroupSize = 64;

    /// <summary>
    /// Raises and changes queue per database, each queue with one group in flight, so a district with a few clients per
    /// office gets the groups one busy office gets. A raise group holds its offices' counter rows to its commit, and
    /// another node's group may hold one meanwhile: a raise group takes only the rows no one holds, and the raises of a
    /// held row wait for it in a queue of their office, so only that office's raises wait. More groups in flight per
    /// queue made smaller groups, which cost more CPU per command than they saved in waiting
    /// (tests/TicketLedger.Benchmarks/README.md, "Groups in flight").
    /// </summary>
    private readonly ConcurrentDictionary<(string Scope, QueueKind Kind), CommandQueue> _queues = new();
    private readonly string _claims = Idempotency.QualifiedTableName(store.Options.DatabaseSchemaName);

    /// <summary>
    /// A group's statements run outside its requests' traces (the drain does not flow their context): its activity
    /// continues the trace of a lone command, and links the commands of a larger group.
    /// </summary>
    public static readonly ActivitySource Tracing = new("TicketLedger.TicketGroupCommit");

    /// <summary>Completes once the raise has committed, with its number; fails with what failed its commit.</summary>
    public Task<TicketRaised> RaiseAsync(Office office, TicketRaised decided, DateTimeOffset now, HttpContext request)
    {
        var raise = new PendingRaise(office.Code, decided, TicketNumbers.YearOf(decided, office), now, Origin.Of(request));
        Enqueue(raise);
        return raise.Committed.Task;
    }

    /// <summary>
    /// Completes once the events have committed right after the version of the ticket they were decided on, with the
    /// messages they send; fails with Marten's concurrency exception when another change of the ticket committed first.
    /// A command's Idempotency-Key is looked up in its group (<see cref="RepeatsFoundInCommitAttribute"/>).
    /// </summary>
    public Task AppendAsync(Ticket decidedOn, IReadOnlyList<object> events, HttpContext request, OutgoingMessages? messages = null)
    {
        var change = new PendingChange(decidedOn, events, messages ?? [], Origin.Of(request));
        Enqueue(change);
        return change.Committed.Task;
    }

    /// <summary>Commands of the office waiting for a group in commit to end: they form the next group.</summary>
    public int Waiting(string office) => WaitingIn(_queues.Values, office);

    /// <summary>Raises of the office waiting in its own queue for a counter row another transaction holds.</summary>
    public int WaitingForACounterRow(string office) =>
        _queues.TryGetValue((office, QueueKind.RaisesOfAHeldRow), out var queue) ? WaitingIn([queue], office) : 0;

    private static int WaitingIn(IEnumerable<CommandQueue> queues, string office) =>
        queues.Sum(queue => queue.Commands.Count(command => command.Office == office));

    private void Enqueue(PendingCommand command) => Enqueue(command, command is PendingRaise ? QueueKind.Raises : QueueKind.Changes);

    private void Enqueue(PendingCommand command, QueueKind kind)
    {
        var scope = kind == QueueKind.RaisesOfAHeldRow ? command.Office : offices.Find(command.Office)?.Database ?? Office.MainDatabase;
        var queue = _queues.GetOrAdd((scope, kind), key => new CommandQueue(key.Kind, CommitGroupAsync, GroupFailed));
        command.Queue = queue;
        queue.Commands.Enqueue(command);
    }

    private async Task CommitGroupAsync(List<PendingCommand> group, CommandQueue queue)
    {
        // Two changes of one ticket were both decided before either committed: at most one can follow the version it
        // read. The later one commits after the group, alone, so that it cannot fail the others.
        var tickets = new HashSet<Guid>();
        var later = group.Where(command => !tickets.Add(command.Ticket)).ToList();
        await CommitAsync(group.Except(later).ToList(), queue);
        foreach (var command in later) await CommitAsync([command], queue);
    }

    /// <summary>A group that failed outside its commit: a drain that died would have left its queue's commands waiting for ever.</summary>
    private void GroupFailed(List<PendingCommand> group, CommandQueue queue, Exception error)
    {
        logger.LogError(error, "A group of {Count} commands of {Offices} failed outside its commit", group.Count, OfficesOf(group));
        foreach (var command in group.Where(c => c.IsWaitingIn(queue))) command.Fail(error);
    }

    private async Task CommitAsync(List<PendingCommand> group, CommandQueue queue)
    {
        if (await CommitTogetherAsync(group, queue.Kind) is not { } failure) return;
        var left = group.Where(c => c.IsWaitingIn(queue)).ToList();
        if (left.Count <= 1 || !RolledBack(failure))
        {
            foreach (var command in left) command.Fail(failure.Error);
            return;
        }
        logger.LogDebug(failure.Error, "A group of {Count} commands of {Offices} did not commit; each commits alone", left.Count, OfficesOf(left));
        foreach (var command in left) await CommitAsync([command], queue);
    }

    private static string OfficesOf(List<PendingCommand> group) => string.Join(',', group.Select(c => c.Office).Distinct().Order());

    /// <summary>
    /// Nothing of a group commits when it fails before its commit is sent, or when the server refuses a statement or the
    /// commit: a PostgreSQL error, or a change whose ticket moved on, which Marten reports as a concurrency exception
    /// before it commits. A connection lost while committing leaves it unknown: those commands fail, and a client's
    /// retry under its Idempotency-Key finds out, where committing them again here could raise a ticket twice.
    /// </summary>
    private static bool RolledBack(Failure failure) =>
        !failure.WhileCommitting
        || DatabaseOutage.Chain(failure.Error).Any(e => e is PostgresException or JasperFx.ConcurrencyException);

    private sealed record Failure(Exception Error, bool WhileCommitting);

    private async Task<Failure?> CommitTogetherAsync(List<PendingCommand> group, QueueKind kind)
    {
        using var activity = BatchActivity.Start(Tracing, "ticket group commit", group.Select(c => c.Origin.Trace).ToList());
        activity?.SetTag("ticketledger.group.size", group.Count);
        activity?.SetTag("ticketledger.group.offices", OfficesOf(group));
        var office = group[0].Office;
        var context = new MessageContext(runtime) { TenantId = office };
        // Opening a session does no I/O; should it throw, the drain fails the group.
        await using var session = sessions.OpenSession(context, office);
        Dictionary<PendingCommand, IdempotencyOutcome> repeats;
        List<PendingCommand> committed;
        Dictionary<PendingRaise, TicketRaised> numbered;
        var rowsHeldElsewhere = new List<PendingRaise>();
        var committing = false;
        try
        {
            await session.BeginTransactionAsync(CancellationToken.None);
            repeats = await RepeatsAsync(session, group.Where(c => c.Origin.Claim is not null).ToList());
            committed = group.Where(c => !repeats.ContainsKey(c)).ToList();
            var raises = committed.OfType<PendingRaise>().ToList();
            numbered = await NumberAsync(session, raises, waitForRows: kind == QueueKind.RaisesOfAHeldRow);
            rowsHeldElsewhere.AddRange(raises.Where(raise => !numbered.ContainsKey(raise)));
            committed = committed.Except(rowsHeldElsewhere).ToList();
            HandOverViews(session, committed.OfType<PendingChange>());
            foreach (var command in committed) await AppendAsync(session, context, command, numbered);
            committing = true;
            await session.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            return new Failure(e, committing);
        }
        finally
        {
            // Out of this group whatever became of it: they were never appended to it.
            foreach (var raise in rowsHeldElsewhere) WaitForItsRow(raise);
        }
        foreach (var row in numbered.Keys.Select(r => (r.Office, r.Year)).Distinct()) gate.Forget(row.Office, row.Year);
        foreach (var command in committed) command.Succeed(numbered);
        foreach (var (repeat, earlier) in repeats) repeat.Fail(new RepeatedRequest(earlier));
        await HandOverMessagesAsync(context, committed.Count);
        return null;
    }

    /// <summary>
    /// The commands whose Idempotency-Key an earlier request committed, with what it recorded: one round trip for the
    /// group instead of a lookup per request before it runs (<see cref="RepeatsFoundInCommitAttribute"/>), one
    /// primary-key lookup per command in it. One statement for all of them (<c>(caller, key) in (select * from
    /// unnest(…))</c>) took 2.8 ms a call in the benchmark's one-client profile, where the claim's own lookup by key on
    /// the same table took 0.013 ms (tests/TicketLedger.Benchmarks/README.md, "A lead for the one-client cost").
    /// Two commands of one key in the same group are not found here: their claims collide in the commit, and each then
    /// commits alone, where the second finds the first.
    /// </summary>
    private async Task<Dictionary<PendingCommand, IdempotencyOutcome>> RepeatsAsync(IDocumentSession session, List<PendingCommand> keyed)
    {
        var repeats = new Dictionary<PendingCommand, IdempotencyOutcome>();
        if (keyed.Count == 0) return repeats;
        await using var batch = new NpgsqlBatch(session.Connection);
        foreach (var claim in keyed.Select(c => c.Origin.Claim!))
        {
            var lookup = new NpgsqlBatchCommand(IdempotencyOutcome.Lookup(_claims));
            lookup.Parameters.AddRange(IdempotencyOutcome.LookupParameters(claim.Caller, claim.Key, claim.ExpiredBefore));
            batch.BatchCommands.Add(lookup);
        }
        await using var reader = await batch.ExecuteReaderAsync();
        foreach (var command in keyed)
        {
            if (await reader.ReadAsync()) repeats[command] = IdempotencyOutcome.Read(reader, 0);
            await reader.NextResultAsync();
        }
        return repeats;
    }

    private async Task HandOverMessagesAsync(MessageContext context, int count)
    {
        try
        {
            await context.FlushOutgoingMessagesAsync();
        }
        catch (Exception e)
        {
            // The messages committed with the commands; Wolverine's durability agent sends them from the database.
            logger.LogWarning(e, "The messages of {Count} commands were not handed to Wolverine after their commit", count);
        }
    }

    private async Task AppendAsync(IDocumentSession session, MessageContext context, PendingCommand command,
        Dictionary<PendingRaise, TicketRaised> numbered)
    {
        var origin = command.Origin;
        switch (command)
        {
            case PendingRaise raise:
                var raised = numbered[raise];
                var stream = EventsOf(session, raise);
                stream.StartStream<Ticket>(raised.TicketId, origin.Stamp(stream.BuildEvent(raised)));
                if (origin.Claim is { } claim) new TicketCreated(raised.TicketId, raised.Number).RecordIn(claim, json.Value.SerializerOptions);
                await Send(ResponseDeadline.For(raised, raise.Now));
                break;
            case PendingChange change:
                var events = EventsOf(session, change);
                events.Append(change.Ticket, change.DecidedOn.Version + change.Events.Count,
                    change.Events.Select(e => (object)origin.Stamp(events.BuildEvent(e))).ToArray());
                if (change.Messages.Count > 0) await Send(change.Messages);
                break;
        }
        origin.Claim?.QueueInto(session, _claims);

        async Task Send(object message)
        {
            context.TenantId = command.Office;
            context.CorrelationId = origin.CorrelationId;
            context.UserName = origin.Actor;
            await context.EnqueueCascadingAsync(message);
        }
    }

    /// <summary>A group spans the offices of its database; each stream is appended under its own office.</summary>
    private static IEventStoreOperations EventsOf(IDocumentSession session, PendingCommand command) =>
        command.Office == session.TenantId ? session.Events : session.ForTenant(command.Office).Events;

    /// <summary>
    /// The inline ticket projection folds a change's events onto the ticket's view, which it would read again for the
    /// whole group (one round trip). Each request has just read that view at the version its events follow, and the
    /// append fails if the stream moved since, so the group hands Marten copies of those through the session's identity
    /// map (what Marten itself does for an aggregate fetched for writing in the same session). Copies, because the
    /// projection folds onto the instance it finds, and a group that fails is committed again command by command.
    /// Another office's views go to the session of that office the group appends its streams through
    /// (<see cref="EventsOf"/>), which has an identity map of its own.
    /// </summary>
    private static void HandOverViews(IDocumentSession session, IEnumerable<PendingChange> changes)
    {
        if (session is not QuerySession marten) return;
        marten.UseIdentityMapFor<Ticket>();
        foreach (var office in changes.GroupBy(change => change.Office))
        {
            IDocumentOperations views = office.Key == session.TenantId ? session : session.ForTenant(office.Key);
            if (views is QuerySession map) map.ItemMap[typeof(Ticket)] = office.ToDictionary(change => change.Ticket, change => change.DecidedOn.Copy());
        }
    }

    /// <summary>
    /// In arrival order within each office and year. A group of a database's raises takes the counter rows no one else
    /// holds and leaves the raises of the others unnumbered; a group of one office's raises waits for its rows, taken in
    /// ascending order of years, so two nodes' groups lock rows alike.
    /// </summary>
    private static async Task<Dictionary<PendingRaise, TicketRaised>> NumberAsync(IDocumentSession session, List<PendingRaise> raises, bool waitForRows)
    {
        var numbered = new Dictionary<PendingRaise, TicketRaised>();
        if (raises.Count == 0) return numbered;
        var rows = raises.GroupBy(r => (r.Office, r.Year)).OrderBy(row => row.Key).ToList();
        var wanted = rows.Select(row => new TicketNumbers.Wanted(row.Key.Office, row.Key.Year, row.Count())).ToList();
        var lastTaken = waitForRows
            ? await TicketNumbers.TakeAsync(session, wanted, CancellationToken.None)
            : await TicketNumbers.TakeUnheldAsync(session, wanted, CancellationToken.None);
        foreach (var row in rows)
        {
            if (!lastTaken.TryGetValue(row.Key, out var last)) continue;
            var number = last - row.Count();
            foreach (var raise in row) numbered[raise] = raise.Decided with { Number = TicketNumbers.Format(row.Key.Year, ++number) };
        }
        return numbered;
    }

    /// <summary>
    /// Another transaction holds the raise's counter row (another node's group, say): it waits for it with its office's
    /// raises, in a queue that answers it from then on.
    /// </summary>
    private void WaitForItsRow(PendingRaise raise) => Enqueue(raise, QueueKind.RaisesOfAHeldRow);

    private enum QueueKind { Changes, Raises, RaisesOfAHeldRow }

    private sealed class CommandQueue
    {
        public CommandQueue(QueueKind kind, Func<List<PendingCommand>, CommandQueue, Task> commit,
            Action<List<PendingCommand>, CommandQueue, Exception> failed)
        {
            Kind = kind;
            Commands = new BatchQueue<PendingCommand>(MaxGroupSize, group => commit(group, this), (group, error) => failed(group, this, error));
        }

        public QueueKind Kind { get; }
        public BatchQueue<PendingCommand> Commands { get; }
    }

    /// <summary>What a command carries from its request into the group: Marten fills only what the event leaves empty.</summary>
    private sealed record Origin(string? CorrelationId, string? Actor, IdempotencyClaim? Claim, ActivityContext Trace)
    {
        public static Origin Of(HttpContext request)
        {
            var correlationId = request.Request.Headers[Correlation.Header].ToString();
            return new Origin(correlationId.Length > 0 ? correlationId : null, request.User.Identity?.Name, IdempotencyClaim.Current,
                Activity.Current?.Context ?? default);
        }

        public IEvent Stamp(IEvent e)
        {
            e.CorrelationId = CorrelationId;
            e.UserName = Actor;
            return e;
        }
    }

    private abstract class PendingCommand(string office, Guid ticket, Origin origin)
    {
        public string Office { get; } = office;
        public Guid Ticket { get; } = ticket;
        public Origin Origin { get; } = origin;
        /// <summary>The queue that answers it; a raise whose counter row another holds moves on to its office's.</summary>
        public CommandQueue? Queue { get; set; }
        public abstract bool IsAnswered { get; }
        public bool IsWaitingIn(CommandQueue queue) => Queue == queue && !IsAnswered;
        public abstract void Succeed(IReadOnlyDictionary<PendingRaise, TicketRaised> numbered);
        public abstract void Fail(Exception error);
    }

    private sealed class PendingRaise(string office, TicketRaised decided, int year, DateTimeOffset now, Origin origin)
        : PendingCommand(office, decided.TicketId, origin)
    {
        public TicketRaised Decided { get; } = decided;
        public int Year { get; } = year;
        public DateTimeOffset Now { get; } = now;
        public TaskCompletionSource<TicketRaised> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override bool IsAnswered => Committed.Task.IsCompleted;
        public override void Succeed(IReadOnlyDictionary<PendingRaise, TicketRaised> numbered) => Committed.TrySetResult(numbered[this]);
        public override void Fail(Exception error) => Committed.TrySetException(error);
    }

    private sealed class PendingChange(Ticket decidedOn, IReadOnlyList<object> events, OutgoingMessages messages, Origin origin)
        : PendingCommand(decidedOn.Office, decidedOn.Id, origin)
    {
        /// <summary>The view its request read, at the version its events follow.</summary>
        public Ticket DecidedOn { get; } = decidedOn;
        public IReadOnlyList<object> Events { get; } = events;
        public OutgoingMessages Messages { get; } = messages;
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override bool IsAnswered => Committed.Task.IsCompleted;
        public override void Succeed(IReadOnlyDictionary<PendingRaise, TicketRaised> numbered) => Committed.TrySetResult();
        public override void Fail(Exception error) => Committed.TrySetException(error);
    }
}
