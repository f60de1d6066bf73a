using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace TicketLedger.Tests.Nodes;

/// <summary>
/// docs/nodes.md: any number of service processes on one database. Each async projection, the audit sealer, the
/// same-day timer and the outbox do their work once, and move to a survivor when a node dies; a retried
/// Idempotency-Key replays on whichever node it reaches. The cluster, its load and the kill are in <see cref="ClusterUnderLoad"/>.
/// </summary>
public sealed class three_nodes_on_one_database(ClusterUnderLoad cluster, ITestOutputHelper output) : IClassFixture<ClusterUnderLoad>
{
    private static readonly TimeSpan Settle = ClusterUnderLoad.Settle;

    [Fact]
    public void three_processes_on_one_database_form_one_cluster_with_one_leader()
    {
        Assert.All(cluster.NodesAtStart, nodes =>
        {
            var listed = nodes.GetProperty("nodes").EnumerateArray().ToList();
            Assert.Equal(3, listed.Count);
            Assert.Single(listed, n => n.GetProperty("leader").GetBoolean());
            Assert.Single(listed, n => n.GetProperty("agents").EnumerateArray().Any(a => ClusterUnderLoad.IsLedgerAgent(a.GetString()!)));
        });
        // Each answered as itself: three processes, not one behind three ports.
        Assert.Equal(3, cluster.NodesAtStart.Select(n => n.GetProperty("self").GetProperty("id").GetGuid()).Distinct().Count());
    }

    [Fact]
    public void a_keyed_command_sent_again_to_another_node_is_answered_with_the_first_outcome()
    {
        Assert.NotEmpty(cluster.Replays);
        Assert.All(cluster.Replays, replay =>
        {
            Assert.NotEqual(replay.First.Node, replay.Again.Node);
            Assert.Equal(replay.First.Status, replay.Again.Status);
            Assert.True(replay.Again.Replayed, $"{replay.Path} on {replay.Again.Node} was not a replay");
            if (replay.First.Status == HttpStatusCode.Created)
                Assert.Equal(replay.First.Json.GetProperty("id").GetGuid(), replay.Again.Json.GetProperty("id").GetGuid());
        });
        Assert.Contains(cluster.Replays, r => r.Path == "/api/tickets");
    }

    [Fact]
    public async Task a_survivor_takes_the_ledger_over_from_the_killed_node()
    {
        output.WriteLine($"kill → ledger agent assigned to a survivor: {cluster.Reassigned.TotalSeconds:F1} s");
        output.WriteLine($"kill → first ledger page applied by a survivor: {cluster.Failover.TotalSeconds:F1} s");
        output.WriteLine($"commands acknowledged after the kill: {cluster.AcknowledgedAfterKill}, cut off by the kill and sent again: {cluster.CutOffAndRetried}");
        foreach (var step in cluster.Timeline) output.WriteLine(step);
        Assert.InRange(cluster.Failover, TimeSpan.Zero, TimeSpan.FromSeconds(60));
        Assert.True(cluster.AcknowledgedAfterKill > 0);

        foreach (var survivor in cluster.Survivors)
        {
            var nodes = await Eventually.Until(survivor.NodesAsync, n => n.GetProperty("nodes").GetArrayLength() == 2, Settle,
                $"{survivor.Name} to drop the killed node");
            Assert.DoesNotContain(nodes.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetGuid() == cluster.Killed.Id);
            Assert.Contains(cluster.Survivors, s => s.Id == ClusterUnderLoad.LedgerHolder(nodes));
            Assert.Single(nodes.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("leader").GetBoolean());
        }
    }

    [Fact]
    public async Task the_ledger_on_every_survivor_catches_up_to_what_the_acknowledged_writes_imply()
    {
        var tickets = cluster.Tickets.Values.ToList();
        var expected = new Figures(
            tickets.Count, tickets.Count(t => t.Resolved), tickets.Count(t => !t.Resolved),
            string.Join(",", tickets.Where(t => t.Department is not null).GroupBy(t => t.Department!).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}={g.Count()}")),
            cluster.Subjects.Count);
        foreach (var survivor in cluster.Survivors)
        {
            var ledger = await WithNodeLogsOnFailure(() => Eventually.Until(async () => Figures.Of(await survivor.GetAsync("/api/ledger", Keys.Auditor)),
                seen => seen == expected, Settle, $"the ledger on {survivor.Name} to reach {expected}"));
            Assert.Equal(expected, ledger);
        }
    }

    private sealed record Figures(int Raised, int Resolved, int Pending, string ByDepartment, int AboveScaleTotal)
    {
        public static Figures Of(JsonElement ledger)
        {
            var t = ledger.GetProperty("tickets");
            return new Figures(t.GetProperty("raised").GetInt32(), t.GetProperty("resolved").GetInt32(), t.GetProperty("pending").GetInt32(),
                string.Join(",", t.GetProperty("byDepartment").EnumerateObject().Select(d => $"{d.Name}={d.Value.GetInt32()}")),
                ledger.GetProperty("resumption").GetProperty("aboveScaleTotal").GetInt32());
        }
    }

    /// <summary>
    /// Asked of a node that does not run the ledger, the rebuild pauses the ledger where it runs, rebuilds it, and
    /// starts it again: the figures come back whole and the next event still reaches them.
    /// </summary>
    [Fact]
    public async Task a_rebuild_asked_of_a_node_not_running_the_ledger_rebuilds_it_and_the_ledger_moves_on()
    {
        var holder = await Eventually.Until(async () => ClusterUnderLoad.LedgerHolder(await cluster.Survivors[0].NodesAsync()),
            id => id is not null, Settle, "a survivor to hold the ledger");
        var other = cluster.Survivors.First(s => s.Id != holder);

        var rebuilt = await other.PostAsync("/api/admin/projections/rebuild", new { }, idempotencyKey: null, key: Keys.Admin);
        Assert.True(rebuilt.Status == HttpStatusCode.OK, rebuilt.Body);

        var subject = await other.PostAsync("/api/subjects", Subjects.SubjectScenarios.Enterprise(name: "重建后企业"), idempotencyKey: null);
        Assert.Equal(HttpStatusCode.Created, subject.Status);
        cluster.Subjects.Add(subject.Json.GetProperty("id").GetGuid());
        output.WriteLine($"rebuild answered by {other.Name}: {rebuilt.Body}");
        foreach (var survivor in cluster.Survivors)
            await WithNodeLogsOnFailure(() => Eventually.Until(() => survivor.GetAsync("/api/ledger", Keys.Auditor),
                l => l.GetProperty("resumption").GetProperty("aboveScaleTotal").GetInt32() == cluster.Subjects.Count
                     && l.GetProperty("tickets").GetProperty("raised").GetInt32() == cluster.Tickets.Count,
                Settle, $"the rebuilt ledger on {survivor.Name} to count every subject and ticket"));
    }

    /// <summary>A cluster test that times out says what the nodes saw: their ledger figures, agents and logged troubles.</summary>
    private async Task<T> WithNodeLogsOnFailure<T>(Func<Task<T>> wait)
    {
        try { return await wait(); }
        catch (TimeoutException)
        {
            output.WriteLine($"expected {cluster.Tickets.Count} tickets and {cluster.Subjects.Count} subjects");
            foreach (var node in cluster.Survivors)
            {
                output.WriteLine($"== {node.Name}: ledger {Figures.Of(await node.GetAsync("/api/ledger", Keys.Auditor))}");
                output.WriteLine($"   nodes as it sees them: {await node.NodesAsync()}");
                output.WriteLine(node.Troubles());
            }
            throw;
        }
    }

    [Fact]
    public async Task the_chain_verifies_and_is_sealed_to_the_last_event()
    {
        var last = await cluster.ScalarAsync<long>("select max(seq_id) from ticketledger.mt_events");
        foreach (var survivor in cluster.Survivors)
        {
            var verified = await Eventually.Until(() => survivor.GetAsync("/api/audit/verify", Keys.Auditor),
                v => v.GetProperty("sealedThrough").ValueKind == JsonValueKind.Number && v.GetProperty("sealedThrough").GetInt64() >= last,
                Settle, $"the chain to be sealed through {last}");
            Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
            Assert.Equal(verified.GetProperty("lastSequence").GetInt64(), verified.GetProperty("sealedThrough").GetInt64());
        }
    }

    [Fact]
    public async Task every_acknowledged_command_is_appended_exactly_once()
    {
        var counts = await cluster.EventCountsAsync();
        foreach (var ticket in cluster.Tickets.Values.Where(t => t.Id != cluster.DeadlineTicket))
        {
            var recorded = counts.Where(c => c.Stream == ticket.Id).OrderBy(c => c.Type, StringComparer.Ordinal).Select(c => $"{c.Type}×{c.Count}");
            Assert.Equal(ticket.Acknowledged.Order(StringComparer.Ordinal).Select(type => $"{type}×1"), recorded);
        }
        foreach (var subject in cluster.Subjects)
            Assert.Equal([("subject_registered", 1L)], counts.Where(c => c.Stream == subject).Select(c => (c.Type, c.Count)));
        Assert.Equal(cluster.Tickets.Count + cluster.Subjects.Count, counts.Select(c => c.Stream).Distinct().Count());
    }

    /// <summary>
    /// The desks raise into one office through all three nodes in turn, so each node's count of the office's numbers
    /// keeps falling behind the others' (docs/ticket-lifecycle.md, "Numbers"): every raise still commits, once, and the
    /// office's numbers run without a gap or a repeat to the counter row.
    /// </summary>
    [Fact]
    public async Task tickets_raised_through_three_nodes_at_once_are_numbered_without_gaps_or_repeats()
    {
        var numbers = await cluster.ListAsync<string>("select number from ticketledger.mt_doc_ticketview");
        foreach (var year in numbers.GroupBy(n => int.Parse(n[..4])))
        {
            var sequence = year.Select(n => int.Parse(n[5..])).Order().ToList();
            Assert.Equal(Enumerable.Range(1, sequence.Count), sequence);
            Assert.Equal(sequence.Count, await cluster.ScalarAsync<int>($"select last from ticketledger.ticket_numbers where year = {year.Key}"));
        }
        Assert.Equal(cluster.Tickets.Count, cluster.Tickets.Values.Select(t => t.Number).Distinct().Count());
        Assert.Subset(numbers.ToHashSet(), cluster.Tickets.Values.Select(t => t.Number).ToHashSet());
    }

    [Fact]
    public async Task no_acknowledged_write_is_lost()
    {
        foreach (var survivor in cluster.Survivors)
        foreach (var ticket in cluster.Tickets.Values.Where(t => t.Id != cluster.DeadlineTicket))
        {
            var read = await survivor.GetAsync($"/api/tickets/{ticket.Id}", Keys.Staff);
            Assert.Equal(ticket.Number, read.GetProperty("number").GetString());
            Assert.Equal(ticket.Resolved ? "resolved" : ticket.Escalated ? "escalated" : "assigned", read.GetProperty("status").GetString());
            Assert.Equal(ticket.Acknowledged.Count, read.GetProperty("version").GetInt32());
            Assert.Equal(ticket.Department, read.GetProperty("department").GetString());
        }
    }

    /// <summary>The bureau's queue is a table of the PostgreSQL transport; nobody consumes it here, so every message sent stays in it.</summary>
    [Fact]
    public async Task each_escalation_and_resolution_reaches_the_bureau_queue_once()
    {
        var escalated = cluster.Tickets.Values.Where(t => t.Escalated).ToList();
        Assert.NotEmpty(escalated);
        foreach (var ticket in escalated)
        {
            var expected = ticket.Resolved ? 2 : 1;
            var sent = await Eventually.Until(() => QueuedAbout(ticket.Id), n => n >= expected, Settle, $"the messages of {ticket.Number}");
            Assert.Equal(expected, sent);
            Assert.Equal(1, await QueuedAbout(ticket.Id, "ticketledger.ticket-escalated-to-bureau.v1"));
        }
        var internalOnly = cluster.Tickets.Values.Where(t => !t.Escalated).ToList();
        foreach (var ticket in internalOnly) Assert.Equal(0, await QueuedAbout(ticket.Id));
    }

    /// <summary>
    /// Wolverine holds the same-day timer in its envelope table (status Scheduled) for whichever node polls first; moved
    /// due after the kill (ClusterUnderLoad), it is delivered on a survivor and its event appended once.
    /// </summary>
    [Fact]
    public async Task the_same_day_timer_appends_its_event_once_across_the_nodes()
    {
        var ticket = cluster.DeadlineTicket;
        await Eventually.Until(() => cluster.ScalarAsync<long>($"""
            select count(*) from ticketledger.wolverine_incoming_envelopes
            where status = 'Scheduled' and position(convert_to('{ticket}', 'UTF8') in body) > 0
            """), n => n == 0, Settle, "the timer to be delivered");
        var missed = await Eventually.Until(() => cluster.ScalarAsync<long>(
            $"select count(*) from ticketledger.mt_events where stream_id = '{ticket}' and type = 'response_deadline_missed'"), n => n > 0, Settle, "the missed deadline");
        Assert.Equal(1, missed);
        var read = await cluster.Survivors[0].GetAsync($"/api/tickets/{ticket}", Keys.Staff);
        Assert.Equal(2, read.GetProperty("version").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, read.GetProperty("deadlineMissedAt").ValueKind);
    }

    private Task<long> QueuedAbout(Guid ticket, string? type = null) => cluster.ScalarAsync<long>($"""
        select count(*) from wolverine_queues."wolverine_queue_bureau.{ClusterUnderLoad.Bureau.Replace('-', '_')}"
        where position(convert_to('{ticket}', 'UTF8') in body) > 0 {(type is null ? "" : $"and message_type = '{type}'")}
        """);
}
