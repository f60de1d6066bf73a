using System.Collections.Concurrent;
using System.Diagnostics;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Marten;
using TicketLedger.Hosting;
using TicketLedger.Tests.Bureaus;
using TicketLedger.Tests.Offices;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Tickets;

/// <summary>
/// docs/ticket-lifecycle.md, "Group commit": the commands of an office that arrive while its last group commits are
/// committed together in one transaction, raises numbered gap-free; each keeps its own metadata and its own failure.
/// </summary>
public sealed class commands_committed_in_groups(ApiFixture fixture) : ApiTest(fixture)
{
    private const int Year = 2014;
    private static readonly DateTimeOffset InYear = new(Year, 5, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task raises_arriving_while_their_office_commits_commit_together_with_gap_free_numbers_and_their_own_metadata()
    {
        var subject = await Host.GivenSubject();
        var before = Number((await Host.GivenTicket(subject, InYear)).Number);

        var correlations = Enumerable.Range(1, 9).Select(i => $"group-{i}").ToList();

        var behind = await RaiseBehindAHeldCounterRow(subject, correlations, keys: null);

        Assert.Equal(Enumerable.Range(before + 1, 10), behind.All.Select(r => Number(r.Json().GetProperty("number").GetString()!)).Order());
        Assert.Equal(1, await TransactionsThatRaised(behind.Queued.Select(r => r.Json().GetProperty("id").GetGuid()).ToArray()));
        foreach (var (result, correlationId) in behind.All.Zip(correlations.Prepend("holding")))
        {
            var raised = (await Host.History(result.Json().GetProperty("id").GetGuid()))[0];
            Assert.Equal(correlationId, raised.GetProperty("correlationId").GetString());
            Assert.Equal("local-staff", raised.GetProperty("actor").GetString());
        }
    }

    [Fact]
    public async Task a_raise_that_fails_its_group_fails_alone_and_the_others_commit_without_a_gap()
    {
        var subject = await Host.GivenSubject();
        var before = Number((await Host.GivenTicket(subject, InYear)).Number);
        var correlations = Enumerable.Range(1, 10).Select(i => $"group-{i}").ToList();
        // The last two send one key with one body: committed together they collide on their claim.
        var keys = correlations.Select((_, i) => i < 8 ? Guid.NewGuid().ToString("N") : "sent-twice").ToList();

        var behind = await RaiseBehindAHeldCounterRow(subject, correlations, keys);

        var twins = behind.Queued[^2..];
        Assert.Equal(twins[0].ReadAsText(), twins[1].ReadAsText());
        Assert.Single(twins, t => t.Context.Response.Headers[Idempotency.ReplayedHeader] == "true");
        var numbers = behind.All.SkipLast(1).Select(r => Number(r.Json().GetProperty("number").GetString()!)).Order();
        Assert.Equal(Enumerable.Range(before + 1, 10), numbers);
    }

    [Fact]
    public async Task a_repeat_of_a_committed_raise_is_answered_from_its_group_without_failing_the_group()
    {
        var subject = await Host.GivenSubject();
        var before = Number((await Host.GivenTicket(subject, InYear)).Number);
        var earlier = await Raise(subject, "earlier", key: "sent-again");
        var correlations = Enumerable.Range(1, 9).Select(i => $"group-{i}").ToList();
        var keys = correlations.Select((_, i) => i == 4 ? "sent-again" : Guid.NewGuid().ToString("N")).ToList();

        var behind = await RaiseBehindAHeldCounterRow(subject, correlations, keys);

        var repeat = behind.Queued[4];
        Assert.Equal(earlier.ReadAsText(), repeat.ReadAsText());
        Assert.Equal("true", repeat.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
        var raised = behind.All.Where(r => r != repeat).ToList();
        Assert.Equal(Enumerable.Range(before + 2, 9), raised.Select(r => Number(r.Json().GetProperty("number").GetString()!)).Order());
        // The other eight queued raises together: the repeat left the group instead of failing it on its key.
        var queued = behind.Queued.Where(r => r != repeat).Select(r => r.Json().GetProperty("id").GetGuid()).ToArray();
        Assert.Equal(1, await TransactionsThatRaised(queued));
    }

    [Fact]
    public async Task changes_arriving_while_their_office_commits_commit_together_each_with_its_own_metadata_and_key()
    {
        var (_, tickets) = await GivenTickets(8);
        var keys = tickets.Select(_ => Guid.NewGuid().ToString("N")).ToList();

        await ChangesBehindAHeldTicket(() => tickets.Select((id, i) => i < 7
            ? Change(id, "assign", new { department = "xmb" }, $"change-{i}", keys[i])
            : Change(id, "escalate", new { bureau = "rsj", reason = "需要协调" }, $"change-{i}", keys[i])).ToList());

        Assert.Equal(1, await TransactionsThatWrote(tickets.ToArray(), "ticket_assigned", "ticket_escalated"));
        foreach (var (id, i) in tickets.Select((id, i) => (id, i)))
        {
            var last = (await Host.History(id))[^1];
            Assert.Equal((i < 7 ? "TicketAssigned" : "TicketEscalated", $"change-{i}", "local-staff"),
                (last.GetProperty("type").GetString(), last.GetProperty("correlationId").GetString(), last.GetProperty("actor").GetString()));
        }
        Assert.Equal("escalated", (await Host.GetTicket(tickets[7])).GetProperty("status").GetString());
        var repeat = await Change(tickets[0], "assign", new { department = "xmb" }, "change-again", keys[0]);
        Assert.Equal("true", repeat.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
    }

    [Fact]
    public async Task a_repeat_of_a_committed_change_is_answered_from_its_group_without_failing_the_group()
    {
        var (_, tickets) = await GivenTickets(4);
        var respond = new { message = "已联系供应商" };
        var earlier = await Change(tickets[0], "respond", respond, "earlier", "responded-once");

        var behind = await ChangesBehindAHeldTicket(() => tickets.Select((id, i) =>
            Change(id, "respond", respond, $"change-{i}", i == 0 ? "responded-once" : Guid.NewGuid().ToString("N"))).ToList());

        Assert.Equal("true", behind.Queued[0].Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
        Assert.Equal(1, await Host.CountOf(tickets[0], "TicketResponded"));
        // The three others in one transaction: the repeat left the group instead of failing it on its key.
        Assert.Equal(1, await TransactionsThatWrote(tickets[1..].ToArray(), "ticket_responded"));
        Assert.Equal(204, earlier.Context.Response.StatusCode);
    }

    [Fact]
    public async Task a_change_whose_ticket_moved_on_in_the_meantime_fails_alone_with_a_conflict_and_the_others_commit()
    {
        var (_, tickets) = await GivenTickets(4);
        var moved = tickets[2];

        var behind = await ChangesBehindAHeldTicket(
            () => tickets.Select((id, i) => Change(id, "assign", new { department = "xmb" }, $"change-{i}", key: null, status: id == moved ? 409 : 204)).ToList(),
            whileQueued: async () =>
            {
                await using var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe");
                session.Events.Append(moved, new TicketResponded(moved, "电话回复", DateTimeOffset.UtcNow));
                await session.SaveChangesAsync();
            });

        Assert.Equal("application/problem+json", behind.Queued[2].Context.Response.ContentType);
        Assert.Equal(["TicketRaised", "TicketResponded"], (await Host.History(moved)).Select(e => e.GetProperty("type").GetString()));
        foreach (var id in tickets.Where(id => id != moved))
            Assert.Equal("assigned", (await Host.GetTicket(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_change_committed_again_after_its_group_failed_is_folded_onto_its_view_once()
    {
        var (_, tickets) = await GivenTickets(3);
        foreach (var id in tickets)
        {
            await Host.Assign(id);
            await Host.Resolve(id);
        }
        var moved = tickets[2];

        await ChangesBehindAHeldTicket(
            () => tickets.Select((id, i) => Change(id, "reopen", new { reason = "企业反映未解决" }, $"reopen-{i}", key: null, status: id == moved ? 409 : 204)).ToList(),
            whileQueued: async () =>
            {
                await using var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe");
                session.Events.Append(moved, new TicketResponded(moved, "电话回复", DateTimeOffset.UtcNow));
                await session.SaveChangesAsync();
            });

        // The group folded each reopen onto a view and then failed on the moved ticket; committed again alone, each
        // reopen is folded once more, onto a fresh copy of the view its request read.
        foreach (var id in tickets[..2])
        {
            var view = await Host.GetTicket(id);
            Assert.Equal(("assigned", 1), (view.GetProperty("status").GetString(), view.GetProperty("reopenCount").GetInt32()));
        }
    }

    [Fact]
    public async Task a_change_commits_while_a_group_of_its_office_waits_on_the_counter_row()
    {
        var (subject, tickets) = await GivenTickets(1);
        await using var holder = await Host.OpenConnection();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"select last from ticketledger.ticket_numbers where year = {Year} for update", holder))
            await command.ExecuteScalarAsync();
        var raise = Raise(subject, "held", key: null);
        await using var probe = await Host.OpenConnection();
        await Eventually.Until(() => LockWaits.SessionsBlockedByAsync(probe, holder.ProcessID), n => n == 1, Patience, "a group waiting on the counter row");

        await Change(tickets[0], "assign", new { department = "xmb" }, "not-held", key: null).WaitAsync(Patience);

        Assert.Equal("assigned", (await Host.GetTicket(tickets[0])).GetProperty("status").GetString());
        Assert.False(raise.IsCompleted);
        await hold.RollbackAsync();
        await raise.WaitAsync(Patience);
    }

    [Fact]
    public async Task changes_arriving_while_their_office_reads_a_ticket_read_theirs_in_one_statement()
    {
        var (_, tickets) = await GivenTickets(6);
        var reads = Host.Services.GetRequiredService<TicketReads>();
        var traces = tickets.Skip(1).ToDictionary(id => id, _ => ActivityTraceId.CreateRandom());
        var batches = new ConcurrentQueue<Activity>();
        using var statements = new TracedStatements(a =>
        {
            if (a.Source == TicketReads.Tracing) batches.Enqueue(a);
        }, source => source.Name == "Microsoft.AspNetCore");

        // A table lock holds the first read; the others arrive while it is in flight.
        var behind = await BehindHeldRows("lock table ticketledger.mt_doc_ticketview in access exclusive mode",
            () => Change(tickets[0], "assign", new { department = "xmb" }, "holding", key: null),
            () => traces.Select(t => Change(t.Key, "assign", new { department = "xmb" }, "queued", key: null, trace: t.Value)).ToList(),
            waiting: _ => reads.Waiting("yinhe"));

        var batch = Assert.Single(batches, b => traces.Values.All(t => b.Links.Any(link => link.Context.TraceId == t)));
        Assert.Equal(traces.Count, batch.GetTagItem("ticketledger.reads.size"));
        Assert.Collection(statements.Of(batch.TraceId), read => Assert.Contains("mt_doc_ticketview", read));
        foreach (var id in tickets) Assert.Equal("assigned", (await Host.GetTicket(id)).GetProperty("status").GetString());
    }

    /// <summary>The tickets to change, and a ticket of the held counter row's year, so that the row exists.</summary>
    private async Task<(Guid Subject, List<Guid> Tickets)> GivenTickets(int count)
    {
        var subject = await Host.GivenSubject();
        await Host.GivenTicket(subject, InYear);
        var tickets = new List<Guid>();
        for (var i = 0; i < count; i++) tickets.Add((await Host.GivenTicket(subject)).Id);
        return (subject, tickets);
    }

    /// <summary>
    /// One raise (correlation id "holding") waits on the counter row held by the test, in its office's queue; the raises
    /// that come after it find the row held too and queue there behind it. Then the row is let go, and they form one group.
    /// </summary>
    private Task<Behind> RaiseBehindAHeldCounterRow(Guid subject, IReadOnlyList<string> correlationIds, IReadOnlyList<string>? keys) =>
        BehindHeldRows($"select last from ticketledger.ticket_numbers where year = {Year} for update",
            () => Raise(subject, "holding", key: null),
            () => correlationIds.Select((id, i) => Raise(subject, id, keys?[i])).ToList(),
            waiting: groups => groups.WaitingForACounterRow("yinhe"));

    /// <summary>
    /// One change (correlation id "holding") waits on its ticket's stream row held by the test; the changes queued behind
    /// it wait for its group to end. Then the row is let go, and they form one group.
    /// </summary>
    private async Task<Behind> ChangesBehindAHeldTicket(Func<List<Task<IScenarioResult>>> queue, Func<Task>? whileQueued = null)
    {
        var (_, held) = await GivenTickets(1);
        return await BehindHeldRows($"select 1 from ticketledger.mt_streams where id = '{held[0]}' for update",
            () => Change(held[0], "respond", new { message = "已受理" }, "holding", key: null),
            queue, groups => groups.Waiting("yinhe"), whileQueued);
    }

    /// <summary>
    /// The test holds rows (<paramref name="lockRows"/>), the holding command waits on them, the queued commands wait
    /// behind it; then the rows are let go. The holding command must succeed, the queued as each request expects.
    /// </summary>
    private async Task<Behind> BehindHeldRows(string lockRows, Func<Task<IScenarioResult>> holding,
        Func<List<Task<IScenarioResult>>> queue, Func<TicketGroupCommit, int> waiting, Func<Task>? whileQueued = null)
    {
        var groups = Host.Services.GetRequiredService<TicketGroupCommit>();
        await using var holder = await Host.OpenConnection();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(lockRows, holder)) await command.ExecuteNonQueryAsync();

        var first = holding();
        await using var probe = await Host.OpenConnection();
        await Eventually.Until(() => LockWaits.SessionsBlockedByAsync(probe, holder.ProcessID), n => n == 1, Patience, "a group waiting on the held rows");
        var queued = queue();
        // A repeat of a committed raise is answered as soon as a group looks its key up; every other command waits.
        await Eventually.Until(() => Task.FromResult(waiting(groups) + queued.Count(q => q.IsCompleted)), n => n == queued.Count, Patience,
            "the commands queued behind it");
        if (whileQueued is not null) await whileQueued();
        await hold.RollbackAsync();

        return new Behind(await first, await Task.WhenAll(queued));
    }

    private sealed record Behind(IScenarioResult Holding, IScenarioResult[] Queued)
    {
        public IEnumerable<IScenarioResult> All => Queued.Prepend(Holding);
    }

    private Task<IScenarioResult> Change(Guid ticket, string action, object body, string correlationId, string? key, int status = 204,
        ActivityTraceId? trace = null) => Host.Scenario(x =>
    {
        x.Post.Json(body).ToUrl($"/api/tickets/{ticket}/{action}");
        x.WithKey(Keys.Staff);
        x.WithRequestHeader(Correlation.Header, correlationId);
        if (trace is { } traceId) x.WithRequestHeader("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        if (key is not null) x.WithRequestHeader(Idempotency.Header, key);
        x.StatusCodeShouldBe(status);
    });

    private Task<IScenarioResult> Raise(Guid subject, string correlationId, string? key) => Host.Scenario(x =>
    {
        x.Post.Json(TicketScenarios.RaiseBody(subject, InYear)).ToUrl("/api/tickets");
        x.WithKey(Keys.Staff);
        x.WithRequestHeader(Correlation.Header, correlationId);
        if (key is not null) x.WithRequestHeader(Idempotency.Header, key);
        x.StatusCodeShouldBe(201);
    });

    /// <summary>Rows written by one transaction share its id (xmin).</summary>
    private Task<long> TransactionsThatRaised(Guid[] ids) => TransactionsThatWrote(ids, "ticket_raised");

    private async Task<long> TransactionsThatWrote(Guid[] ids, params string[] types)
    {
        await using var connection = await Host.OpenConnection();
        await using var command = new NpgsqlCommand(
            "select count(distinct xmin::text) from ticketledger.mt_events where type = any(@types) and stream_id = any(@ids)", connection);
        command.Parameters.AddWithValue("types", types);
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static int Number(string number) => int.Parse(number[5..]);
}
