using System.Diagnostics;
using System.Text;
using static TicketLedger.Benchmarks.Report;

namespace TicketLedger.Benchmarks;

/// <summary>
/// Several service processes on one database (docs/nodes.md). `nodes`: the lifecycle mix with 1, 2 and 3 processes,
/// the clients dealt out round-robin over them, in alternating rounds (1 2 3, then 3 2 1) on a fresh database each;
/// on two cores no gain is expected, the point is no loss and no error. `failover`: five times, the node running the
/// ledger projection is killed with SIGKILL under a light write load, and the time to the survivors' first applied
/// ledger page is measured; a fresh node then replaces it.
/// </summary>
public static class NodeRuns
{
    public static readonly int[] Sizes = [1, 2, 3];
    private static readonly int[] Clients = [8, 32];
    private const string Lifecycle = "assign/respond/resolve mix";

    private sealed record Measured(Summary Result, double OtherCores, double ServiceCpuMs, double DatabaseCpuMs);

    /// <summary>Cores the service processes and PostgreSQL take with no request at all: heartbeats, agents, pollers.</summary>
    private sealed record Idle(double ServiceCores, double DatabaseCores);

    public static async Task ThroughputAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        var results = new Dictionary<(int Nodes, int Clients, int Round), Measured>();
        var idle = new Dictionary<(int Nodes, int Round), Idle>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var size in round % 2 == 1 ? Sizes : Sizes.AsEnumerable().Reverse())
            {
                Console.WriteLine($"  -- round {round}: {size} node(s)");
                var database = BenchDatabase.Nodes(size, round);
                db.Create(database);
                await using var cluster = await ServiceCluster.StartAsync(options, Run.ServiceEnvironment(db.ConnectionString(database), key),
                    key, logs, $"nodes-{size}-{round}", size);
                var nodes = cluster.Live;
                using var http = LoadGenerator.Client(nodes[0].BaseUrl, key);
                var world = new TicketWorld();
                await world.RegisterSubjectsAsync(http, 32);
                var pool = (int)((options.Measure + options.Warmup).TotalSeconds * 1_000 / 3);
                foreach (var clients in Clients)
                {
                    await world.FillPoolAsync(http, pool);
                    await Profile.CaughtUpAsync(db, database);
                    var others = OtherCpu.Start(cluster.Pids, db.PostmasterPid);
                    var (service, database0) = (cluster.Pids.Sum(pid => Profile.CpuTicks(pid, children: false)), Profile.ClusterCpuTicks(db.PostmasterPid));
                    var result = await LoadGenerator.RunAsync(http, clients,
                        i => new OnNode(new LifecycleScript(world, i), nodes[i % nodes.Count].BaseUrl), options.Warmup, options.Measure);
                    // Over warm-up and window: CPU per measured request, so runs of different sizes compare where requests/s cannot.
                    var requests = result.Requests * (options.Warmup + options.Measure) / options.Measure;
                    var serviceMs = (cluster.Pids.Sum(pid => Profile.CpuTicks(pid, children: false)) - service) * Profile.TickMs / requests;
                    var databaseMs = (Profile.ClusterCpuTicks(db.PostmasterPid) - database0) * Profile.TickMs / requests;
                    report.Add("nodes", $"{Lifecycle}, {size} node(s) (round {round})", clients, result);
                    results[(size, clients, round)] = new Measured(result, others.Cores(), serviceMs, databaseMs);
                }
                // At rest once the load is over and the projections caught up: what a node costs without a request
                // (heartbeats, the leader's checks, pollers of the inbox, outbox, scheduled messages, the sealer and the log).
                await Profile.CaughtUpAsync(db, database);
                idle[(size, round)] = await IdleAsync(cluster, db, options.Measure * 2);
                report.Note($"{size} node(s), round {round}: tickets raised inside lifecycle windows because the pool ran dry: {world.RaisedInsideWindows}");
            }
        }
        Compare(report, options, results, idle);
    }

    private static async Task<Idle> IdleAsync(ServiceCluster cluster, BenchDatabase db, TimeSpan window)
    {
        var (service, database) = (cluster.Pids.Sum(pid => Profile.CpuTicks(pid, children: false)), Profile.ClusterCpuTicks(db.PostmasterPid));
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var ms = clock.Elapsed.TotalMilliseconds;
        return new Idle((cluster.Pids.Sum(pid => Profile.CpuTicks(pid, children: false)) - service) * Profile.TickMs / ms,
            (Profile.ClusterCpuTicks(db.PostmasterPid) - database) * Profile.TickMs / ms);
    }

    private static void Compare(
        Report report, BenchOptions options, Dictionary<(int Nodes, int Clients, int Round), Measured> results, Dictionary<(int Nodes, int Round), Idle> idle)
    {
        var rounds = Enumerable.Range(1, options.Rounds).ToArray();
        var md = new StringBuilder("""
            The lifecycle mix with 1, 2 and 3 service processes on one database, client i on node i mod n, each size on a
            fresh database. CPU per request is over warm-up and window, all service processes together and all PostgreSQL
            processes, background agents included. "Others" is the CPU other processes on the machine took (cores of 2).

            | nodes | clients | round | req/s | p50 ms | p95 ms | p99 ms | errors | service CPU ms/req | PostgreSQL CPU ms/req | others (cores) |
            |---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|

            """);
        foreach (var clients in Clients)
        foreach (var size in Sizes)
        {
            foreach (var round in rounds)
            {
                var m = results[(size, clients, round)];
                md.AppendLine(Invariant($"| {size} | {clients} | {round} | {m.Result.PerSecond:F0} | {m.Result.P50Ms:F1} | {m.Result.P95Ms:F1} | {m.Result.P99Ms:F1} | {m.Result.Errors} | {m.ServiceCpuMs:F2} | {m.DatabaseCpuMs:F2} | {m.OtherCores:F2} |"));
            }
            var x = Mean(size, clients);
            md.AppendLine(Invariant($"| **{size}** | **{clients}** | mean | **{x.PerSecond:F0}** | {x.P50:F1} | {x.P95:F1} | **{x.P99:F1}** | {x.Errors} | {x.ServiceCpu:F2} | {x.DatabaseCpu:F2} | {x.Others:F2} |"));
        }
        md.AppendLine().AppendLine("At rest after the load, once the projections had caught up (two windows without a request), cores of 2, round 1 / round 2:").AppendLine();
        md.AppendLine("| nodes | service processes (all) | PostgreSQL |").AppendLine("|---:|---:|---:|");
        foreach (var size in Sizes)
            md.AppendLine(Invariant($"| {size} | {string.Join(" / ", rounds.Select(r => idle[(size, r)].ServiceCores.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} | {string.Join(" / ", rounds.Select(r => idle[(size, r)].DatabaseCores.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} |"));
        report.Note(md.ToString());

        foreach (var size in Sizes.Skip(1))
        {
            var (one, many) = (Mean(1, 32), Mean(size, 32));
            report.Figure($"lifecycle at 32 clients, {size} nodes ÷ 1 node: requests/s (mean of {rounds.Length} rounds)",
                Invariant($"{many.PerSecond / one.PerSecond:F2}× ({one.PerSecond:F0} → {many.PerSecond:F0})"), "≥ 0.90× (no loss)", many.PerSecond >= 0.9 * one.PerSecond);
            report.Figure($"lifecycle at 32 clients, {size} nodes ÷ 1 node: p99",
                Invariant($"{many.P99 / one.P99:F2}× ({one.P99:F1} → {many.P99:F1} ms)"), "≤ 1.10×", many.P99 <= 1.1 * one.P99);
        }
        report.Figure("errors in the nodes stage (all windows)", $"{results.Values.Sum(m => m.Result.Errors)}", "0", results.Values.All(m => m.Result.Errors == 0));

        (double PerSecond, double P50, double P95, double P99, int Errors, double ServiceCpu, double DatabaseCpu, double Others) Mean(int size, int clients)
        {
            var all = rounds.Select(r => results[(size, clients, r)]).ToArray();
            return (all.Average(m => m.Result.PerSecond), all.Average(m => m.Result.P50Ms), all.Average(m => m.Result.P95Ms), all.Average(m => m.Result.P99Ms),
                all.Sum(m => m.Result.Errors), all.Average(m => m.ServiceCpuMs), all.Average(m => m.DatabaseCpuMs), all.Average(m => m.OtherCores));
        }
    }

    public const int Kills = 5;
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(90);

    private sealed record Kill(int Number, bool Leader, TimeSpan Reassigned, TimeSpan FirstPage, TimeSpan Dropped, long LagAtKill, int Retried);

    public static async Task FailoverAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        var database = BenchDatabase.Failover;
        await using var cluster = await ServiceCluster.StartAsync(options, Run.ServiceEnvironment(db.ConnectionString(database), key), key, logs, "failover", 3);
        var world = new TicketWorld();
        using (var http = LoadGenerator.Client(cluster.Live[0].BaseUrl, key)) await world.RegisterSubjectsAsync(http, 8);
        var kills = new List<Kill>();
        for (var k = 1; k <= Kills; k++)
        {
            await Profile.CaughtUpAsync(db, database);
            var victim = await cluster.LedgerHolderAsync(cluster.Live[0]) ?? throw new InvalidOperationException("no node holds the ledger");
            var leader = await cluster.IsLeaderAsync(victim);
            await using var load = LightLoad.Start(cluster, world, key);
            await load.AcknowledgedAsync(20);

            victim.Kill();
            var clock = Stopwatch.StartNew();
            var atKill = await Progress(db, database);
            var lag = await db.ScalarAsync<long>(database, "select coalesce(max(seq_id), 0) from ticketledger.mt_events") - atKill;
            var survivor = cluster.Live[0];
            TimeSpan? reassigned = null, firstPage = null, dropped = null;
            while ((reassigned is null || firstPage is null || dropped is null) && clock.Elapsed < FailoverLimit)
            {
                if (firstPage is null && await Progress(db, database) > atKill) firstPage = clock.Elapsed;
                if (reassigned is null && await cluster.LedgerHolderAsync(survivor) is { } holder && holder != victim) reassigned = clock.Elapsed;
                if (dropped is null && !await cluster.ListsAsync(survivor, victim)) dropped = clock.Elapsed;
                await Task.Delay(50);
            }
            await load.DisposeAsync();
            var kill = new Kill(k, leader, reassigned ?? FailoverLimit, firstPage ?? FailoverLimit, dropped ?? FailoverLimit, lag, load.Retried);
            kills.Add(kill);
            Console.WriteLine(Invariant($"  kill {k} ({(leader ? "the leader" : "not the leader")}): agent reassigned {kill.Reassigned.TotalSeconds:F1} s, first ledger page {kill.FirstPage.TotalSeconds:F1} s, node dropped {kill.Dropped.TotalSeconds:F1} s; {load.Acknowledged} raises acknowledged, {load.Retried} sent again after the kill"));
            // A fresh node takes the killed one's place, so every kill is of a cluster of three.
            await cluster.AddAsync();
        }

        var md = new StringBuilder(Invariant($"""
            Failover: {Kills} kills (SIGKILL) of the node holding the ledger projection in a cluster of 3, under a light write
            load (2 clients raising tickets round-robin over the live nodes, 20 ms apart; a raise cut off by the kill is sent
            again with its Idempotency-Key to the next node). Node settings (src/TicketLedger/Hosting/Nodes.cs): heartbeat every
            {TicketLedger.Hosting.Nodes.HeartbeatEvery.TotalSeconds:F0} s, stale after {TicketLedger.Hosting.Nodes.StaleAfter.TotalSeconds:F0} s. Times from the kill: the ledger agent
            assigned to a survivor in the node table; the first ledger page a survivor applied (`mt_event_progression` past
            where it stood at the kill); the killed node gone from the node table. Polled every 50 ms.

            | kill | killed node was leader | agent reassigned s | first ledger page s | node dropped s | ledger behind at kill (events) | raises sent again |
            |---:|---|---:|---:|---:|---:|---:|

            """));
        foreach (var kill in kills)
            md.AppendLine(Invariant($"| {kill.Number} | {(kill.Leader ? "yes" : "no")} | {kill.Reassigned.TotalSeconds:F1} | {kill.FirstPage.TotalSeconds:F1} | {kill.Dropped.TotalSeconds:F1} | {kill.LagAtKill} | {kill.Retried} |"));
        report.Note(md.ToString());
        var pages = kills.Select(k => k.FirstPage.TotalSeconds).Order().ToArray();
        report.Figure($"failover, kill → a survivor's first applied ledger page ({Kills} kills): median",
            Invariant($"{pages[pages.Length / 2]:F1} s"), "≤ 30 s", pages[pages.Length / 2] <= 30);
        report.Figure("failover, kill → a survivor's first applied ledger page: max", Invariant($"{pages[^1]:F1} s"), "≤ 30 s", pages[^1] <= 30);
    }

    private static Task<long> Progress(BenchDatabase db, string database) => db.ScalarAsync<long>(database,
        "select coalesce(max(last_seq_id), 0) from ticketledger.mt_event_progression where name like 'Ledger%'");
}

/// <summary>A client script's requests sent to one node of a cluster: its paths made absolute on that node's address.</summary>
public sealed class OnNode(IClientScript inner, string baseUrl) : IClientScript
{
    private readonly Uri _node = new(baseUrl);

    public async Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct)
    {
        var request = await inner.NextAsync(http, ct);
        request.RequestUri = new Uri(_node, request.RequestUri!.OriginalString);
        return request;
    }

    public Task CompletedAsync(HttpResponseMessage response, CancellationToken ct) => inner.CompletedAsync(response, ct);
}

/// <summary>
/// Two clients raising tickets, 20 ms apart, each on the next live node in turn. A raise whose node dies under it is
/// sent again, with the same Idempotency-Key, to the next live node, as a client behind a load balancer would.
/// </summary>
public sealed class LightLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _clients;
    private int _acknowledged, _retried;

    public int Acknowledged => Volatile.Read(ref _acknowledged);
    public int Retried => Volatile.Read(ref _retried);

    private LightLoad(ServiceCluster cluster, TicketWorld world, string key)
    {
        _clients = Task.WhenAll(Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
        {
            var turn = client;
            var http = new Dictionary<string, HttpClient>();
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var idempotencyKey = Guid.NewGuid().ToString("N");
                    var n = turn;
                    for (var attempt = 0; attempt < 5; attempt++)
                    {
                        var live = cluster.Live;
                        var node = live[turn++ % live.Count];
                        if (!http.TryGetValue(node.BaseUrl, out var client)) http[node.BaseUrl] = client = LoadGenerator.Client(node.BaseUrl, key, 2);
                        using var request = world.Raise(n);
                        request.Headers.Remove("Idempotency-Key");
                        request.Headers.Add("Idempotency-Key", idempotencyKey);
                        try
                        {
                            using var response = await client.SendAsync(request);
                            if (response.IsSuccessStatusCode) Interlocked.Increment(ref _acknowledged);
                            break;
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                        {
                            Interlocked.Increment(ref _retried);
                        }
                    }
                    await Task.Delay(20);
                }
            }
            finally
            {
                foreach (var client in http.Values) client.Dispose();
            }
        })));
    }

    public static LightLoad Start(ServiceCluster cluster, TicketWorld world, string key) => new(cluster, world, key);

    public async Task AcknowledgedAsync(int count)
    {
        while (Acknowledged < count) await Task.Delay(20);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _clients;
    }
}
