using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;
using TicketLedger.Tests.Subjects;

namespace TicketLedger.Tests.Nodes;

/// <summary>
/// Three service processes on one database (docs/nodes.md), run once for the tests of the class: desks write on all
/// three at once with Idempotency-Keys, some commands are sent again to another node, then the node running the
/// ledger projection is killed with SIGKILL while the desks keep writing, going to the survivors. What the desks were
/// told (every acknowledged write, counted here) is what the tests hold the survivors and the database to.
/// </summary>
public sealed class ClusterUnderLoad : IAsyncLifetime
{
    public const string Bureau = "jfj-gxc";
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(180);
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private const int Desks = 6, TicketsPerDeskAndPhase = 3;
    private static readonly string[] Departments = ["xmb", "hbb", "djb", "jfb"];

    private Node[] _nodes = [];
    private int _requests;

    public string ConnectionString { get; private set; } = "";
    public IReadOnlyList<Node> Survivors => _nodes.Where(n => !n.Killed).ToList();
    public Node Killed => _nodes.Single(n => n.Killed);

    /// <summary>GET /api/admin/nodes of each node once the cluster had formed, before any load.</summary>
    public List<JsonElement> NodesAtStart { get; } = [];
    public ConcurrentDictionary<Guid, AcknowledgedTicket> Tickets { get; } = new();
    public ConcurrentBag<Guid> Subjects { get; } = [];
    public ConcurrentBag<(string Path, Answer First, Answer Again)> Replays { get; } = [];

    /// <summary>Commands whose node died under them, sent again with the same key to a survivor.</summary>
    public int CutOffAndRetried;
    public int AcknowledgedAfterKill;
    public Guid DeadlineTicket { get; private set; }
    /// <summary>Kill to the first ledger page a survivor applied (its progress moved past where it stood at the kill).</summary>
    public TimeSpan Failover { get; private set; }
    /// <summary>Kill to the ledger agent named on a survivor in the node table.</summary>
    public TimeSpan Reassigned { get; private set; }

    /// <summary>When each step of the run ended, from the start of the fixture: where the test's wall time goes.</summary>
    public List<string> Timeline { get; } = [];

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        void Mark(string step) => Timeline.Add($"{clock.Elapsed.TotalSeconds,5:F1} s  {step}");
        ConnectionString = TestDatabase.EmptyConnectionStringFor("tl_nodes");
        // Started together, as replicas of a deployment are: each applies the schema to the same empty database.
        var starting = Enumerable.Range(1, 3).Select(i => Node.StartAsync($"node {i}", ConnectionString, Startup)).ToList();
        try { await Task.WhenAll(starting); }
        finally { _nodes = starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToArray(); }
        Mark("three nodes ready");

        foreach (var node in _nodes)
            NodesAtStart.Add(await node.AwaitClusterAsync(nodes => nodes.GetProperty("nodes").GetArrayLength() == 3 && LedgerHolder(nodes) is not null, Startup));
        Mark("every node sees three");

        await Task.WhenAll(Enumerable.Range(0, Desks).Select(desk => DeskAsync(desk, phase: 0)));
        DeadlineTicket = await RaiseOverdueAsync();
        Mark($"first phase written ({Tickets.Count} tickets)");

        var holder = LedgerHolder(await _nodes[0].NodesAsync())!.Value;
        var victim = _nodes.Single(n => n.Id == holder);
        var writing = Task.WhenAll(Enumerable.Range(0, Desks).Select(desk => DeskAsync(desk, phase: 1)));
        await Eventually.Until(() => Task.FromResult(Tickets.Count), n => n >= Desks * TicketsPerDeskAndPhase + 4, Settle, "writes of the second phase");

        victim.Kill();
        Mark($"{victim.Name} (ledger) killed");
        var sinceKill = Stopwatch.StartNew();
        var atKill = await LedgerProgressAsync();
        var survivor = Survivors[0];
        await Eventually.Until(async () => LedgerHolder(await survivor.NodesAsync()), id => id is { } h && h != holder, Settle,
            "the ledger agent to be assigned to a survivor");
        Reassigned = sinceKill.Elapsed;
        await Eventually.Until(LedgerProgressAsync, seq => seq > atKill, Settle, "a survivor to apply a ledger page");
        Failover = sinceKill.Elapsed;
        Mark("a survivor applied a ledger page");
        await writing;
        Mark($"second phase written ({Tickets.Count} tickets in all)");

        // The timer of a ticket raised two days late is due an hour after the raise (Tickets/ResponseDeadline.cs);
        // moving its time in Wolverine's envelope table stands for that hour passing, after the failover.
        await ExecuteAsync($"""
            update ticketledger.wolverine_incoming_envelopes set execution_time = now()
            where status = 'Scheduled' and position(convert_to('{DeadlineTicket}', 'UTF8') in body) > 0
            """);
    }

    public Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The node the ledger projection's agent is assigned to, in a GET /api/admin/nodes answer.</summary>
    public static Guid? LedgerHolder(JsonElement nodes) =>
        nodes.GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("agents").EnumerateArray().Any(a => IsLedgerAgent(a.GetString()!)))
            .Select(n => (Guid?)n.GetProperty("id").GetGuid()).FirstOrDefault();

    public static bool IsLedgerAgent(string uri) => uri.StartsWith("event-subscriptions://", StringComparison.Ordinal) && uri.Contains("/ledger/");

    public Task<long> LedgerProgressAsync() =>
        ScalarAsync<long>("select coalesce(max(last_seq_id), 0) from ticketledger.mt_event_progression where name like 'Ledger%'");

    /// <summary>
    /// A desk's walk: register an enterprise, raise a problem on it, assign, respond, and for some escalate and resolve,
    /// each command with its own Idempotency-Key, each to the next node in turn.
    /// </summary>
    private async Task DeskAsync(int desk, int phase)
    {
        for (var i = 0; i < TicketsPerDeskAndPhase; i++)
        {
            var n = (phase * Desks + desk) * TicketsPerDeskAndPhase + i;
            var subject = (await CommandAsync("/api/subjects", SubjectScenarios.Enterprise(name: $"节点测试企业 {n}"), HttpStatusCode.Created)).Json.GetProperty("id").GetGuid();
            Subjects.Add(subject);
            var raised = (await CommandAsync("/api/tickets", new
            {
                subjectId = subject, category = "supplies", title = "口罩缺货", description = "复工需要口罩两千只", source = "visit",
            }, HttpStatusCode.Created)).Json;
            var ticket = new AcknowledgedTicket(raised.GetProperty("id").GetGuid(), raised.GetProperty("number").GetString()!);
            ticket.Acknowledged.Add("ticket_raised");
            Tickets[ticket.Id] = ticket;

            await TicketCommandAsync(ticket, "assign", new { department = ticket.Department = Departments[n % Departments.Length] }, "ticket_assigned");
            await TicketCommandAsync(ticket, "respond", new { message = "已联系供应商" }, "ticket_responded");
            if (n % 2 == 0) await TicketCommandAsync(ticket, "escalate", new { bureau = Bureau, reason = "需要经发局协调" }, "ticket_escalated");
            if (n % 3 != 2) await TicketCommandAsync(ticket, "resolve", new { resolution = "已调配口罩" }, "ticket_resolved");
        }
    }

    private async Task TicketCommandAsync(AcknowledgedTicket ticket, string action, object body, string eventType)
    {
        await CommandAsync($"/api/tickets/{ticket.Id}/{action}", body, HttpStatusCode.NoContent);
        ticket.Acknowledged.Add(eventType);
    }

    /// <summary>
    /// Sends a keyed command to the next live node; when the node dies under it, the same request with the same key goes
    /// to the next one, which either replays what the dead node committed or runs it once. Every third acknowledged
    /// command is sent again, key and all, to another node: it must answer what the first one did.
    /// </summary>
    private async Task<Answer> CommandAsync(string path, object body, HttpStatusCode expected)
    {
        var key = Guid.NewGuid().ToString("N");
        var turn = Interlocked.Increment(ref _requests);
        Answer? answer = null;
        for (var attempt = 0; answer is null; attempt++)
        {
            var node = Live(turn + attempt);
            try { answer = await node.PostAsync(path, body, key); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && node.Killed && attempt < 3)
            {
                Interlocked.Increment(ref CutOffAndRetried);
            }
        }
        if (answer.Status != expected) throw new InvalidOperationException($"POST {path} on {answer.Node}: {(int)answer.Status} {answer.Body}");
        if (_nodes.Any(n => n.Killed)) Interlocked.Increment(ref AcknowledgedAfterKill);
        if (turn % 3 == 0) Replays.Add((path, answer, await SendAgainAsync(path, body, key, answer.Node)));
        return answer;
    }

    /// <summary>
    /// The acknowledged request again, key and all, to another live node; when the kill takes that node under it (it was
    /// chosen a moment before), to a survivor.
    /// </summary>
    private async Task<Answer> SendAgainAsync(string path, object body, string key, string answeredBy)
    {
        for (var attempt = 0; ; attempt++)
        {
            var other = _nodes.First(n => !n.Killed && n.Name != answeredBy);
            try { return await other.PostAsync(path, body, key); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && other.Killed && attempt < 3)
            {
                Interlocked.Increment(ref CutOffAndRetried);
            }
        }
    }

    private Node Live(int turn)
    {
        var live = Survivors;
        return live[turn % live.Count];
    }

    /// <summary>A problem raised two days ago and never answered: its same-day timer will find the deadline missed.</summary>
    private async Task<Guid> RaiseOverdueAsync()
    {
        var subject = (await CommandAsync("/api/subjects", SubjectScenarios.Enterprise(name: "逾期测试企业"), HttpStatusCode.Created)).Json.GetProperty("id").GetGuid();
        Subjects.Add(subject);
        var raised = (await CommandAsync("/api/tickets", new
        {
            subjectId = subject, category = "supplies", title = "无人答复", description = "补录的纸质记录", source = "visit",
            occurredAt = DateTimeOffset.UtcNow.AddDays(-2),
        }, HttpStatusCode.Created)).Json;
        var ticket = new AcknowledgedTicket(raised.GetProperty("id").GetGuid(), raised.GetProperty("number").GetString()!);
        ticket.Acknowledged.Add("ticket_raised");
        Tickets[ticket.Id] = ticket;
        return ticket.Id;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<T>> ListAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync()) values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    public async Task<List<(Guid Stream, string Type, long Count)>> EventCountsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        // A raise whose ticket number another node took rolls back and runs again; Marten then writes tombstones for its
        // sequence numbers, in a stream of their own, recording nothing (docs/audit.md, "Tombstones").
        await using var command = new NpgsqlCommand(
            "select stream_id, type, count(*) from ticketledger.mt_events where type <> 'tombstone' group by 1, 2", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new List<(Guid, string, long)>();
        while (await reader.ReadAsync()) counts.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2)));
        return counts;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (await command.ExecuteNonQueryAsync() != 1) throw new InvalidOperationException($"expected one row: {sql}");
    }
}

/// <summary>A ticket as its desk was told: the events of the commands that were acknowledged, in order.</summary>
public sealed class AcknowledgedTicket(Guid id, string number)
{
    public Guid Id => id;
    public string Number => number;
    public string? Department { get; set; }
    public List<string> Acknowledged { get; } = [];
    public bool Escalated => Acknowledged.Contains("ticket_escalated");
    public bool Resolved => Acknowledged.Contains("ticket_resolved");
}
