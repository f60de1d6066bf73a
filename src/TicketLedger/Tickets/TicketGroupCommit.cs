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
/// Ticket commands over HTTP commit in groups (docs/ticket-lifecycle.md, "Group commit"). The raises of an office that
/// arrive while its last group of raises commits are committed together in one transaction, and so are the changes of
/// the offices of one database: one WAL flush for all of them, and for raises one turn on the counter row, where
/// commands committed one by one queue on each other's flush.
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
    /// Raises queue per office, changes per database, each queue with one group in flight. A raise group holds its
    /// office's counter row to its commit, and another node's group may hold it meanwhile: only that office's raises wait
    /// for it. Changes wait on no office-wide row, so the changes of all offices of a database form one group: a district
    /// with a few clients per office gets the groups one busy office gets. More groups in flight per queue made smaller
    /// groups, which cost more CPU per command than they saved in waiting (tests/TicketLedger.Benchmarks/README.md,
    /// "Groups in flight").
    /// </summary>
    private readonly ConcurrentDictionary<(string Scope, bool Raises), CommandQueue> _queues = new();
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
    public int Waiting(string office) => _queues.Values.Sum(queue =>
    {
        lock (queue.Sync) return queue.Pending.Count(command => command.Office == office);
    });

    private void Enqueue(PendingCommand command)
    {
        var key = command is PendingRaise ? (command.Office, true) : ((offices.Find(command.Office)?.Database ?? Office.MainDatabase), false);
        var queue = _queues.GetOrAdd(key, _ => new CommandQueue());
        lock (queue.Sync)
        {
            queue.Pending.Enqueue(command);
            if (queue.Draining) return;
            queue.Draining = true;
        }
        // The drain outlives this request and serves others: it must not carry this request's idempotency claim along.
        using (ExecutionContext.SuppressFlow()) _ = Task.Run(() => DrainAsync(queue));
    }

    private async Task DrainAsync(CommandQueue queue)
    {
        while (true)
        {
            var group = new List<PendingCommand>();
            lock (queue.Sync)
            {
                while (group.Count < MaxGroupSize && queue.Pending.TryDequeue(out var next)) group.Add(next);
                if (group.Count == 0)
                {
                    queue.Draining = false;
                    return;
                }
            }
            try
            {
                // Two changes of one ticket were both decided before either committed: at most one can follow the
                // version it read. The later one commits after the group, alone, so that it cannot fail the others.
                var tickets = new HashSet<Guid>();
                var later = group.Where(command => !tickets.Add(command.Ticket)).ToList();
                await CommitAsync(group.Except(later).ToList());
                foreach (var command in later) await CommitAsync([command]);
            }
            catch (Exception e)
            {
                // A drain that died would leave its queue's commands waiting for ever.
                logger.LogError(e, "A group of {Count} commands of {Offices} failed outside its commit", group.Count, OfficesOf(group));
                foreach (var command in group) command.Fail(e);
            }
        }
    }

    private async Task CommitAsync(List<PendingCommand> group)
    {
        if (await CommitTogetherAsync(group) is not { } failure) return;
        if (group.Count == 1 || !RolledBack(failure))
        {
            foreach (var command in group) command.Fail(failure.Error);
            return;
        }
        logger.LogDebug(failure.Error, "A group of {Count} commands of {Offices} did not commit; each commits alone", group.Count, OfficesOf(group));
        foreach (var command in group.Where(c => !c.IsDone)) await CommitAsync([command]);
    }

    private static string OfficesOf(List<PendingCommand> group) => string.Join(", ", group.Select(c => c.Office).Distinct());

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

    private async Task<Failure?> CommitTogetherAsync(List<PendingCommand> group)
    {
        using var activity = Tracing.StartActivity("ticket group commit", ActivityKind.Internal,
            group.Count == 1 ? group[0].Origin.Trace : default, links: group.Count == 1 ? null : group.Select(c => new ActivityLink(c.Origin.Trace)));
        activity?.SetTag("ticketledger.group.size", group.Count);
        var office = group[0].Office;
        var context = new MessageContext(runtime) { TenantId = office };
        // Opening a session does no I/O; should it throw, the drain fails the group.
        await using var session = sessions.OpenSession(context, office);
        Dictionary<PendingCommand, IdempotencyOutcome> repeats;
        List<PendingCommand> committed;
        Dictionary<PendingRaise, TicketRaised> numbered;
        var committing = false;
        try
        {
            await session.BeginTransactionAsync(CancellationToken.None);
            repeats = await RepeatsAsync(session, group.Where(c => c.Origin.Claim is not null).ToList());
            committed = group.Where(c => !repeats.ContainsKey(c)).ToList();
            numbered = await NumberAsync(session, office, committed.OfType<PendingRaise>().ToList());
            HandOverViews(session, committed.OfType<PendingChange>());
            foreach (var command in committed) await AppendAsync(session, context, command, numbered);
            committing = true;
            await session.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            return new Failure(e, committing);
        }
        foreach (var year in numbered.Keys.Select(r => r.Year).Distinct()) gate.Forget(office, year);
        foreach (var command in committed) command.Succeed(numbered);
        foreach (var (repeat, earlier) in repeats) repeat.Fail(new RepeatedRequest(earlier));
        await HandOverMessagesAsync(context, committed.Count);
        return null;
    }

    /// <summary>
    /// The commands whose Idempotency-Key an earlier request committed, with what it recorded: one statement for the
    /// group instead of a lookup per request before it runs (<see cref="RepeatsFoundInCommitAttribute"/>). Two commands of
    /// one key in the same group are not found here: their claims collide in the commit, and each then commits alone,
    /// where the second finds the first.
    /// </summary>
    private async Task<Dictionary<PendingCommand, IdempotencyOutcome>> RepeatsAsync(IDocumentSession session, List<PendingCommand> keyed)
    {
        var repeats = new Dictionary<PendingCommand, IdempotencyOutcome>();
        if (keyed.Count == 0) return repeats;
        await using var command = new NpgsqlCommand(
            $"select caller, key, created_at, {IdempotencyOutcome.Columns} from {_claims} " +
            "where (caller, key) in (select * from unnest(@callers, @keys))", session.Connection);
        command.Parameters.AddWithValue("callers", keyed.Select(r => r.Origin.Claim!.Caller).ToArray());
        command.Parameters.AddWithValue("keys", keyed.Select(r => r.Origin.Claim!.Key).ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var (caller, key, createdAt) = (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
            foreach (var repeat in keyed.Where(c => c.Origin.Claim!.Caller == caller && c.Origin.Claim.Key == key && createdAt >= c.Origin.Claim.ExpiredBefore))
                repeats[repeat] = IdempotencyOutcome.Read(reader, 3);
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
                session.Events.StartStream<Ticket>(raised.TicketId, origin.Stamp(session.Events.BuildEvent(raised)));
                if (origin.Claim is { } claim) new TicketCreated(raised.TicketId, raised.Number).RecordIn(claim, json.Value.SerializerOptions);
                await Send(ResponseDeadline.For(raised, raise.Now));
                break;
            case PendingChange change:
                // A group of changes spans the offices of its database; each stream is appended under its own office.
                var events = change.Office == session.TenantId ? session.Events : session.ForTenant(change.Office).Events;
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

    /// <summary>
    /// The inline ticket projection folds a change's events onto the ticket's view, which it would read again for the
    /// whole group (one round trip). Each request has just read that view at the version its events follow, and the
    /// append fails if the stream moved since, so the group hands Marten copies of those through the session's identity
    /// map (what Marten itself does for an aggregate fetched for writing in the same session). Copies, because the
    /// projection folds onto the instance it finds, and a group that fails is committed again command by command.
    /// </summary>
    private static void HandOverViews(IDocumentSession session, IEnumerable<PendingChange> changes)
    {
        if (session is not QuerySession marten) return;
        marten.UseIdentityMapFor<Ticket>();
        marten.ItemMap[typeof(Ticket)] = changes.ToDictionary(change => change.Ticket, change => change.DecidedOn.Copy());
    }

    /// <summary>In arrival order within each year; years in ascending order, so two nodes' groups lock rows alike.</summary>
    private static async Task<Dictionary<PendingRaise, TicketRaised>> NumberAsync(IDocumentSession session, string office, List<PendingRaise> raises)
    {
        var numbered = new Dictionary<PendingRaise, TicketRaised>();
        foreach (var year in raises.GroupBy(r => r.Year).OrderBy(y => y.Key))
        {
            var count = year.Count();
            var number = await TicketNumbers.TakeAsync(session, office, year.Key, count, CancellationToken.None) - count;
            foreach (var raise in year) numbered[raise] = raise.Decided with { Number = TicketNumbers.Format(year.Key, ++number) };
        }
        return numbered;
    }

    private sealed class CommandQueue
    {
        public Lock Sync { get; } = new();
        public Queue<PendingCommand> Pending { get; } = new();
        public bool Draining { get; set; }
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
        public abstract bool IsDone { get; }
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
        public override bool IsDone => Committed.Task.IsCompleted;
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
        public override bool IsDone => Committed.Task.IsCompleted;
        public override void Succeed(IReadOnlyDictionary<PendingRaise, TicketRaised> numbered) => Committed.TrySetResult();
        public override void Fail(Exception error) => Committed.TrySetException(error);
    }
}
