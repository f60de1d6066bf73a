using System.Collections.Concurrent;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketLedger.Hosting;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace TicketLedger.Tickets;

/// <summary>
/// Raises over HTTP commit in groups (docs/ticket-lifecycle.md, "Numbers"). The raises of an office that arrive while
/// its last group commits are numbered together and committed in one transaction: one turn on the counter row and one
/// WAL flush for all of them, where raises committed one by one queue on each other's flush to keep their numbers
/// gap-free. Each raise is still validated and decided on its own request, and carries its own correlation id, actor,
/// idempotency claim and same-day timer into the group; the group also looks the raises' keys up, so a repeat leaves it
/// before anything is numbered. A group that fails commits nothing, and each of its raises then commits alone, so a
/// failure (two requests of one key in flight, a lost race) reaches only the request that caused it.
/// </summary>
public sealed class RaiseGroupCommit(OutboxedSessionFactory sessions, IWolverineRuntime runtime, TicketNumberGate gate,
    IOptions<JsonOptions> json, ILogger<RaiseGroupCommit> logger)
{
    /// <summary>Bounds one transaction's size; 32 clients of one office fit in one group.</summary>
    public const int MaxGroupSize = 64;

    private readonly ConcurrentDictionary<string, OfficeQueue> _queues = new();

    /// <summary>Completes once the raise has committed, with its number; fails with what failed its commit.</summary>
    public Task<TicketRaised> RaiseAsync(Office office, TicketRaised decided, DateTimeOffset now, HttpContext request)
    {
        var year = TicketNumbers.YearOf(decided, office);
        var correlationId = request.Request.Headers[Correlation.Header].ToString();
        var raise = new PendingRaise(office, decided, year, now, correlationId.Length > 0 ? correlationId : null,
            request.User.Identity?.Name, IdempotencyClaim.Current);
        var queue = _queues.GetOrAdd(office.Code, _ => new OfficeQueue());
        lock (queue.Sync)
        {
            queue.Pending.Enqueue(raise);
            if (queue.Draining) return raise.Committed.Task;
            queue.Draining = true;
        }
        // The drain outlives this request and serves others: it must not carry this request's idempotency claim along.
        using (ExecutionContext.SuppressFlow()) _ = Task.Run(() => DrainAsync(queue));
        return raise.Committed.Task;
    }

    /// <summary>Raises of the office waiting for the group in commit to end: they form the next group.</summary>
    public int Waiting(string office)
    {
        if (!_queues.TryGetValue(office, out var queue)) return 0;
        lock (queue.Sync) return queue.Pending.Count;
    }

    private async Task DrainAsync(OfficeQueue queue)
    {
        while (true)
        {
            var group = new List<PendingRaise>();
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
                await CommitAsync(group);
            }
            catch (Exception e)
            {
                // A drain that died would leave the office's raises waiting for ever.
                logger.LogError(e, "A group of {Count} raises of office {Office} failed outside its commit", group.Count, group[0].Office.Code);
                foreach (var raise in group) raise.Committed.TrySetException(e);
            }
        }
    }

    private async Task CommitAsync(List<PendingRaise> group)
    {
        if (await CommitTogetherAsync(group) is not { } failure) return;
        if (group.Count == 1 || !RolledBack(failure))
        {
            foreach (var raise in group) raise.Committed.TrySetException(failure.Error);
            return;
        }
        logger.LogDebug(failure.Error, "A group of {Count} raises of office {Office} did not commit; each commits alone", group.Count, group[0].Office.Code);
        foreach (var raise in group.Where(r => !r.Committed.Task.IsCompleted)) await CommitAsync([raise]);
    }

    /// <summary>
    /// Nothing of a group commits when it fails before its commit is sent, or when the server refuses the commit. A
    /// connection lost while committing leaves it unknown: those raises fail, and a client's retry under its
    /// Idempotency-Key finds out, where committing them again here could raise a ticket twice.
    /// </summary>
    private static bool RolledBack(Failure failure) =>
        !failure.WhileCommitting || DatabaseOutage.Chain(failure.Error).Any(e => e is PostgresException);

    private sealed record Failure(Exception Error, bool WhileCommitting);

    private async Task<Failure?> CommitTogetherAsync(List<PendingRaise> group)
    {
        var office = group[0].Office;
        var context = new MessageContext(runtime) { TenantId = office.Code };
        // Opening a session does no I/O; should it throw, the drain fails the group.
        await using var session = sessions.OpenSession(context, office.Code);
        Dictionary<PendingRaise, IdempotencyOutcome> repeats;
        List<PendingRaise> raising;
        TicketRaised[] numbered;
        var committing = false;
        try
        {
            await session.BeginTransactionAsync(CancellationToken.None);
            repeats = await RepeatsAsync(session, group);
            raising = group.Where(r => !repeats.ContainsKey(r)).ToList();
            numbered = raising.Count > 0 ? await AppendAsync(session, context, raising) : [];
            committing = true;
            await session.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            return new Failure(e, committing);
        }
        foreach (var year in raising.Select(r => r.Year).Distinct()) gate.Forget(office.Code, year);
        foreach (var (raise, raised) in raising.Zip(numbered)) raise.Committed.TrySetResult(raised);
        foreach (var (raise, earlier) in repeats) raise.Committed.TrySetException(new RepeatedRequest(earlier));
        await HandOverTimersAsync(context, raising.Count, office);
        return null;
    }

    /// <summary>
    /// The raises whose Idempotency-Key an earlier request committed, with what it recorded: one statement for the group
    /// instead of a lookup per request (<see cref="RepeatsFoundInCommitAttribute"/>). Two raises of one key in flight at
    /// once are not found here: their claims collide in the commit, as they would anywhere.
    /// </summary>
    private static async Task<Dictionary<PendingRaise, IdempotencyOutcome>> RepeatsAsync(IDocumentSession session, List<PendingRaise> group)
    {
        var repeats = new Dictionary<PendingRaise, IdempotencyOutcome>();
        var keyed = group.Where(r => r.Claim is not null).ToList();
        if (keyed.Count == 0) return repeats;
        await using var command = new NpgsqlCommand(
            $"select caller, key, created_at, {IdempotencyOutcome.Columns} from {Idempotency.QualifiedTableName(session.DocumentStore.Options.DatabaseSchemaName)} " +
            "where (caller, key) in (select * from unnest(@callers, @keys))", session.Connection);
        command.Parameters.AddWithValue("callers", keyed.Select(r => r.Claim!.Caller).ToArray());
        command.Parameters.AddWithValue("keys", keyed.Select(r => r.Claim!.Key).ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var (caller, key, createdAt) = (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
            foreach (var raise in keyed.Where(r => r.Claim!.Caller == caller && r.Claim.Key == key && createdAt >= r.Claim.ExpiredBefore))
                repeats[raise] = IdempotencyOutcome.Read(reader, 3);
        }
        return repeats;
    }

    private async Task HandOverTimersAsync(MessageContext context, int count, Office office)
    {
        try
        {
            await context.FlushOutgoingMessagesAsync();
        }
        catch (Exception e)
        {
            // The timers committed with the raises; Wolverine's durability agent schedules them from the database.
            logger.LogWarning(e, "The same-day timers of {Count} raises of office {Office} were not handed to Wolverine after their commit", count, office.Code);
        }
    }

    private async Task<TicketRaised[]> AppendAsync(IDocumentSession session, MessageContext context, List<PendingRaise> group)
    {
        var numbered = await NumberAsync(session, group[0].Office, group);
        var claims = Idempotency.QualifiedTableName(session.DocumentStore.Options.DatabaseSchemaName);
        foreach (var (raise, raised) in group.Zip(numbered))
        {
            var started = session.Events.BuildEvent(raised);
            started.CorrelationId = raise.CorrelationId;
            started.UserName = raise.Actor;
            session.Events.StartStream<Ticket>(raised.TicketId, started);
            if (raise.Claim is { } claim)
            {
                new TicketCreated(raised.TicketId, raised.Number).RecordIn(claim, json.Value.SerializerOptions);
                claim.QueueInto(session, claims);
            }
            context.CorrelationId = raise.CorrelationId;
            context.UserName = raise.Actor;
            await context.EnqueueCascadingAsync(ResponseDeadline.For(raised, raise.Now));
        }
        return numbered;
    }

    /// <summary>In arrival order within each year; years in ascending order, so two nodes' groups lock rows alike.</summary>
    private static async Task<TicketRaised[]> NumberAsync(IDocumentSession session, Office office, List<PendingRaise> group)
    {
        var numbered = new TicketRaised[group.Count];
        foreach (var year in group.Select((raise, index) => (raise, index)).GroupBy(r => r.raise.Year).OrderBy(y => y.Key))
        {
            var count = year.Count();
            var number = await TicketNumbers.TakeAsync(session, office.Code, year.Key, count, CancellationToken.None) - count;
            foreach (var (raise, index) in year)
                numbered[index] = raise.Decided with { Number = TicketNumbers.Format(year.Key, ++number) };
        }
        return numbered;
    }

    private sealed class OfficeQueue
    {
        public Lock Sync { get; } = new();
        public Queue<PendingRaise> Pending { get; } = new();
        public bool Draining { get; set; }
    }

    private sealed record PendingRaise(
        Office Office, TicketRaised Decided, int Year, DateTimeOffset Now, string? CorrelationId, string? Actor, IdempotencyClaim? Claim)
    {
        public TaskCompletionSource<TicketRaised> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
