using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tickets;
using static TicketLedger.Tests.Offices.OfficeDesk;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// docs/ticket-lifecycle.md, "Group commit": the raises of all offices of one database form one group, and so do their
/// changes, each appended under its own office and each raise numbered in its own office.
/// </summary>
public sealed class commands_grouped_across_offices(DistrictFixture fixture) : DistrictTest(fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly OfficeDesk _yinhe = new(fixture.Host, new Caller(DistrictKeys.YinheStaff));
    private readonly OfficeDesk _gangqu = new(fixture.Host, new Caller(DistrictKeys.GangquStaff));

    [Fact]
    public async Task changes_of_two_offices_of_one_database_commit_in_one_transaction_each_under_its_own_office()
    {
        List<Guid> yinhe = [await _yinhe.Ticket(State.Open), await _yinhe.Ticket(State.Open)];
        List<Guid> gangqu = [await _gangqu.Ticket(State.Open), await _gangqu.Ticket(State.Open)];

        await InOneGroup(() =>
        [
            .. yinhe.Select(id => _yinhe.Command(id, "assign", new { department = "xmb" })),
            _gangqu.Command(gangqu[0], "assign", new { department = "xmb" }),
            _gangqu.Command(gangqu[1], "escalate", new { bureau = "jfj-gxc", reason = "需要协调" }),
        ]);

        var written = await WrittenBy([.. yinhe, .. gangqu]);
        Assert.Single(written.Select(w => w.Transaction).Distinct());
        Assert.All(yinhe, id => Assert.Equal("yinhe", written.Single(w => w.Stream == id).Office));
        Assert.All(gangqu, id => Assert.Equal("gangqu", written.Single(w => w.Stream == id).Office));
        Assert.Equal("assigned", (await _yinhe.Get($"/api/tickets/{yinhe[1]}")).GetProperty("status").GetString());
        Assert.Equal("assigned", (await _gangqu.Get($"/api/tickets/{gangqu[0]}")).GetProperty("status").GetString());
        Assert.Equal("escalated", (await _gangqu.Get($"/api/tickets/{gangqu[1]}")).GetProperty("status").GetString());
        await _yinhe.Post($"/api/tickets/{gangqu[0]}/respond", new { message = "已受理" }, status: 404);
    }

    /// <summary>
    /// Each request read its ticket's view; the group hands those to the inline projection, also for the offices whose
    /// streams it appends through a session of their own (their views were read again, one statement per office).
    /// </summary>
    [Fact]
    public async Task a_group_of_two_offices_changes_reads_none_of_their_views_again()
    {
        var yinhe = await _yinhe.Ticket(State.Open);
        List<Guid> gangqu = [await _gangqu.Ticket(State.Open), await _gangqu.Ticket(State.Open)];
        using var statements = new GroupStatements();

        await InOneGroup(() =>
        [
            _yinhe.Command(yinhe, "assign", new { department = "xmb" }),
            .. gangqu.Select(id => _gangqu.Command(id, "assign", new { department = "xmb" })),
        ]);

        var group = statements.OfGroups(size: 3, offices: "gangqu,yinhe").Single();
        Assert.Contains(group, statement => statement.Contains("mt_quick_append_events"));
        Assert.DoesNotContain(group, statement => statement.Contains("from ticketledger.mt_doc_ticketview"));
        Assert.Equal("assigned", (await _gangqu.Get($"/api/tickets/{gangqu[1]}")).GetProperty("status").GetString());
    }

    /// <summary>
    /// A table lock holds one read; the changes of both offices that arrive meanwhile are read by one statement, each
    /// office's from its own tenant: yinhe's request for a gangqu ticket in the same statement still finds nothing.
    /// </summary>
    [Fact]
    public async Task changes_of_two_offices_arriving_while_their_database_reads_a_ticket_read_theirs_in_one_statement()
    {
        var (held, yinhe) = (await _yinhe.Ticket(State.Open), await _yinhe.Ticket(State.Open));
        List<Guid> gangqu = [await _gangqu.Ticket(State.Open), await _gangqu.Ticket(State.Open)];
        var reads = Host.Services.GetRequiredService<TicketReads>();
        var batches = new ConcurrentQueue<Activity>();
        using var statements = new TracedStatements(a =>
        {
            if (a.Source == TicketReads.Tracing) batches.Enqueue(a);
        });

        List<Task> queued = [];
        await BehindAHold($"lock table {EventStore.Schema}.mt_doc_ticketview in access exclusive mode", held, "assign", new { department = "xmb" },
            () => queued =
            [
                _yinhe.Command(yinhe, "assign", new { department = "xmb" }),
                .. gangqu.Select(id => _gangqu.Command(id, "assign", new { department = "xmb" })),
                _yinhe.Post($"/api/tickets/{gangqu[0]}/respond", new { message = "已受理" }, status: 404),
            ],
            () => reads.Waiting("yinhe") + reads.Waiting("gangqu"));

        var batch = Assert.Single(batches, b => (int)b.GetTagItem("ticketledger.reads.size")! == queued.Count
                                               && (string)b.GetTagItem("ticketledger.reads.offices")! == "gangqu,yinhe");
        Assert.Collection(statements.Of(batch.TraceId), read => Assert.Contains("mt_doc_ticketview", read));
        Assert.Equal("assigned", (await _yinhe.Get($"/api/tickets/{yinhe}")).GetProperty("status").GetString());
        foreach (var id in gangqu) Assert.Equal("assigned", (await _gangqu.Get($"/api/tickets/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task raises_of_two_offices_of_one_database_commit_in_one_transaction_each_numbered_in_its_own_office()
    {
        var (yinheSubject, gangquSubject) = (await _yinhe.Enterprise(), await _gangqu.Enterprise());
        var (_, yinheBefore) = await _yinhe.Raise(yinheSubject, key: "seen-before");
        var (_, gangquBefore) = await _gangqu.Raise(gangquSubject);
        var groups = Host.Services.GetRequiredService<TicketGroupCommit>();

        // A claim of the holding raise's key, not yet committed: the group that raises under that key waits on it.
        await using var holder = await Host.OpenConnection();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(
            $"insert into {Idempotency.QualifiedTableName(EventStore.Schema)} (caller, key, request_hash, created_at) " +
            $"select caller, 'held', 'held', now() from {Idempotency.QualifiedTableName(EventStore.Schema)} where key = 'seen-before'", holder))
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        var holding = _yinhe.Raise(yinheSubject, key: "held");
        await using var probe = await Host.OpenConnection();
        await Eventually.Until(() => LockWaits.SessionsBlockedByAsync(probe, holder.ProcessID), n => n == 1, Patience, "a group waiting on the held claim");
        List<Task<(Guid Id, string Number)>> queued =
        [
            _yinhe.Raise(yinheSubject), _gangqu.Raise(gangquSubject), _yinhe.Raise(yinheSubject), _gangqu.Raise(gangquSubject),
        ];
        await Eventually.Until(() => Task.FromResult(groups.Waiting("yinhe") + groups.Waiting("gangqu")), n => n == 4, Patience,
            "the raises of both offices queued behind it");
        await hold.RollbackAsync();
        Assert.Equal(Next(yinheBefore, 1), (await holding).Number);
        var raised = await Task.WhenAll(queued);

        var written = await WrittenBy([.. raised.Select(r => r.Id)], version: 1);
        Assert.Single(written.Select(w => w.Transaction).Distinct());
        Assert.Equal(["yinhe", "gangqu", "yinhe", "gangqu"], raised.Select(r => written.Single(w => w.Stream == r.Id).Office));
        // Each office numbers on from its own counter, gap-free: yinhe after the held raise, gangqu after its last.
        Assert.Equal([Next(yinheBefore, 2), Next(yinheBefore, 3)], new[] { raised[0].Number, raised[2].Number }.Order());
        Assert.Equal([Next(gangquBefore, 1), Next(gangquBefore, 2)], new[] { raised[1].Number, raised[3].Number }.Order());
    }

    /// <summary>
    /// Holds a yinhe ticket's stream row, so the group of a respond to it waits; sends the changes while it waits, lets
    /// it go once all of them are queued behind it, and awaits them: they commit as the next group, together.
    /// </summary>
    private async Task InOneGroup(Func<List<Task>> changes)
    {
        var held = await _yinhe.Ticket(State.Open);
        var groups = Host.Services.GetRequiredService<TicketGroupCommit>();
        await BehindAHold($"select 1 from {EventStore.Schema}.mt_streams where id = '{held}' for update", held, "respond", new { message = "已受理" },
            changes, () => groups.Waiting("yinhe") + groups.Waiting("gangqu"));
    }

    /// <summary>
    /// The test's transaction holds <paramref name="lockRows"/>, so a yinhe <paramref name="action"/> of
    /// <paramref name="held"/> waits on them; the queued requests are sent while it waits, the rows let go once
    /// <paramref name="waiting"/> counts all of them, and every request is awaited.
    /// </summary>
    private async Task BehindAHold(string lockRows, Guid held, string action, object body, Func<List<Task>> queue, Func<int> waiting)
    {
        await using var holder = await Host.OpenConnection();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(lockRows, holder)) await command.ExecuteNonQueryAsync();
        var holding = _yinhe.Command(held, action, body);
        await using var probe = await Host.OpenConnection();
        await Eventually.Until(() => LockWaits.SessionsBlockedByAsync(probe, holder.ProcessID), n => n == 1, Patience, "a request waiting on the held rows");
        var queued = queue();
        await Eventually.Until(() => Task.FromResult(waiting()), n => n == queued.Count, Patience, "the requests of both offices queued behind it");
        await hold.RollbackAsync();
        await Task.WhenAll([holding, .. queued]);
    }

    /// <summary>The statements of each group commit, by its size and offices.</summary>
    private sealed class GroupStatements : IDisposable
    {
        private readonly ConcurrentDictionary<ActivityTraceId, (int Size, string Offices)> _groups = new();
        private readonly TracedStatements _statements;

        public GroupStatements() => _statements = new TracedStatements(a =>
        {
            if (a.Source == TicketGroupCommit.Tracing)
                _groups[a.TraceId] = ((int)a.GetTagItem("ticketledger.group.size")!, (string)a.GetTagItem("ticketledger.group.offices")!);
        });

        /// <summary>Other collections' hosts commit groups in this process too: a group is told apart by its offices.</summary>
        public IEnumerable<IReadOnlyList<string>> OfGroups(int size, string offices) =>
            _groups.Where(g => g.Value == (size, offices)).Select(g => _statements.Of(g.Key));

        public void Dispose() => _statements.Dispose();
    }

    private static string Next(string number, int after) => $"{number[..5]}{int.Parse(number[5..]) + after:D4}";

    private async Task<List<(Guid Stream, string Office, string Transaction)>> WrittenBy(Guid[] tickets, int version = 2)
    {
        await using var connection = await Host.OpenConnection();
        await using var command = new NpgsqlCommand(
            $"select stream_id, tenant_id, xmin::text from {EventStore.Schema}.mt_events where stream_id = any(@ids) and version >= @version", connection);
        command.Parameters.AddWithValue("ids", tickets);
        command.Parameters.AddWithValue("version", version);
        var written = new List<(Guid, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) written.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
        return written;
    }
}
