using System.Diagnostics;
using System.Net.Http.Json;

namespace TicketLedger.Benchmarks;

/// <summary>The real service, built in Release and started as its own process with a generated admin key.</summary>
public static class ServiceRuns
{
    public const string Raise = "TicketLedger: raise (POST /api/tickets)";
    public const string Lifecycle = "TicketLedger: assign/respond/resolve mix";
    public const string LifecycleWithoutKeys = "diagnostic: the same mix without Idempotency-Key";
    public const string ReadyPath = "/api/tickets?pageSize=1";

    public static async Task CommandsAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        await using var service = ServerProcess.Start(options.ServiceDll, [], Run.ServiceEnvironment(db.ConnectionString(BenchDatabase.Service), key),
            Path.Combine(logs, "service-commands.log"));
        var firstStart = await service.WaitUntilServingAsync(ReadyPath, key, TimeSpan.FromSeconds(120));
        report.Figure("first start on an empty database (schema creation included)", $"{firstStart.TotalSeconds:F2} s");

        using var http = LoadGenerator.Client(service.BaseUrl, key);
        var world = new TicketWorld();
        await world.RegisterSubjectsAsync(http, 32);
        // Each window starts settled, as in the builds and office stages: the async ledger, the sealer and the log have
        // caught up with the window (and the untimed pool fill) before it, so a lifecycle window does not pay for the
        // raises before it. Vanilla and raw have no background work to settle.
        foreach (var c in options.Clients)
            await ServiceWindow.MeasureAsync(report, options, db, BenchDatabase.Service, service, http, "service", Raise, c, i => new RaiseScript(world, i));
        // Refilled (untimed) before each window with enough open tickets for 1,000 commands/s, three per ticket, so no
        // client stops to raise one inside a window (a pool sized once for ~180 commands/s ran dry at 700/s).
        var pool = (int)((options.Measure + options.Warmup).TotalSeconds * 1_000 / 3);
        foreach (var c in options.Clients)
        {
            await world.FillPoolAsync(http, pool);
            await ServiceWindow.MeasureAsync(report, options, db, BenchDatabase.Service, service, http, "service", Lifecycle, c, i => new LifecycleScript(world, i));
        }
        await world.FillPoolAsync(http, pool);
        await ServiceWindow.MeasureAsync(report, options, db, BenchDatabase.Service, service, http, "diagnostic", LifecycleWithoutKeys, 32,
            i => new LifecycleScript(world, i, idempotent: false));
        report.Figure("tickets raised inside lifecycle windows because the pool ran dry (understates their requests/s)", $"{world.RaisedInsideWindows}");
        report.Figure("RSS of the service under command load (peak VmRSS)", $"{service.PeakRssKb / 1024.0:F0} MB", "≤ 300 MB", service.PeakRssKb <= 300 * 1024);

        const int tickets = 100;
        for (var i = 0; i < tickets; i++)
        {
            using var raised = await http.SendAsync(world.Raise(i));
            if (raised.IsSuccessStatusCode) world.OpenTickets.Enqueue((await raised.Content.ReadFromJsonAsync<TicketWorld.Created>())!.Id);
        }
        var walker = new LifecycleScript(world, 0);
        report.Note(await Profile.WritesPerCommandAsync(db, BenchDatabase.Service, service.Pid,
            () => LoadGenerator.SequentialAsync(http, tickets * 3, _ => walker)));
    }

    public static void JudgeCommands(Report report)
    {
        var mine = report.Find(Lifecycle, 32);
        var raw = report.Find("raw Npgsql endpoint", 32);
        var vanilla = report.Find("vanilla Marten+Wolverine endpoint", 32);
        var ceiling = report.Find("pgbench: view upsert + event insert", 32);
        if (mine is null || raw is null || vanilla is null || ceiling is null) return;
        report.Figure("lifecycle at 32 clients vs raw Npgsql endpoint", $"{mine.PerSecond / raw.PerSecond:P0}", "≥ 60 %", mine.PerSecond >= 0.6 * raw.PerSecond);
        report.Figure("lifecycle at 32 clients vs vanilla Marten+Wolverine", $"{mine.PerSecond / vanilla.PerSecond:F2}×", "≥ 1.0× (stretch 1.3×)", mine.PerSecond >= vanilla.PerSecond);
        report.Figure("lifecycle at 32 clients vs pgbench ceiling", $"{mine.PerSecond / ceiling.PerSecond:P0}");
        report.Figure("lifecycle p99 at 32 clients", $"{mine.P99Ms:F1} ms", "≤ 50 ms", mine.P99Ms <= 50);
        if (report.Find(Raise, 32) is { } raise && report.Find(Run.VanillaStart, 32) is { } start)
        {
            report.Figure("raise at 32 clients vs vanilla stream start", $"{raise.PerSecond / start.PerSecond:F2}×", "≥ 0.8×", raise.PerSecond >= 0.8 * start.PerSecond);
            report.Figure("raise p99 at 32 clients", $"{raise.P99Ms:F1} ms", "≤ 50 ms", raise.P99Ms <= 50);
        }
        report.Figure("lifecycle errors (all levels)", $"{new[] { 1, 8, 32 }.Sum(c => report.Find(Lifecycle, c)?.Errors ?? 0)}", "0",
            new[] { 1, 8, 32 }.All(c => report.Find(Lifecycle, c)?.Errors == 0));
    }

    public static async Task ScaleAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        var cs = db.ConnectionString(BenchDatabase.Scale);
        var env = Run.ServiceEnvironment(cs, key);
        // The service creates its schema (tables, functions, the audit trigger); the loader then only appends.
        await using (var first = ServerProcess.Start(options.ServiceDll, [], env, Path.Combine(logs, "service-scale-schema.log")))
            await first.WaitUntilServingAsync(ReadyPath, key, TimeSpan.FromSeconds(120));

        var loaded = await ScaleLoader.LoadAsync(cs, options.ScaleEvents);
        var events = await db.ScalarAsync<long>(BenchDatabase.Scale, "select count(*) from ticketledger.mt_events");
        var triggers = await db.ScalarAsync<long>(BenchDatabase.Scale,
            "select count(*) from pg_trigger where tgrelid = 'ticketledger.mt_events'::regclass and not tgisinternal");
        report.Figure($"events loaded (outside HTTP, parallel Marten sessions, {triggers} trigger(s) on mt_events, e.g. the audit chain)",
            $"{events:N0} in {loaded.Took.TotalSeconds:F0} s ({events / loaded.Took.TotalSeconds:N0}/s): {loaded.Tickets:N0} tickets, {loaded.Subjects:N0} subjects");

        // As after any bulk load (and as autovacuum would shortly): fresh planner statistics, without which the daemon's
        // page query is planned for 57 rows and hash-joins the whole remaining event range for every page of 500, and a
        // visibility map, without which an index-only scan (the ticket list's page of ids) still visits every heap page.
        await db.ExecuteAsync(BenchDatabase.Scale, "vacuum analyze");
        var highWater = await db.ScalarAsync<long>(BenchDatabase.Scale, "select max(seq_id) from ticketledger.mt_events");
        await Profile.EnableSlowPlansAsync(db, BenchDatabase.Scale, 15);
        var sinceStart = Stopwatch.StartNew();
        await using (var service = ServerProcess.Start(options.ServiceDll, [], env, Path.Combine(logs, "service-scale.log")))
        {
            // Not the cold-start figure: the daemon and the audit sealer start with the whole bulk load behind them.
            var first = await service.WaitUntilServingAsync("/api/ledger", key, TimeSpan.FromSeconds(120));
            report.Figure("first start after the bulk load (ledger and audit seal behind by every event) to first served request",
                $"{first.TotalSeconds:F2} s");

            var (caughtUp, reached, took) = await LedgerCatchUpAsync(db, BenchDatabase.Scale, highWater, options.CatchUpLimit);
            var ledgerRate = reached / took.TotalSeconds;
            report.Figure("async ledger catch-up by the service's daemon (from process start)",
                caughtUp ? $"{took.TotalSeconds:F1} s = {ledgerRate:N0} events/s"
                         : $"not caught up after {took.TotalSeconds:F0} s: at sequence {reached:N0} of {highWater:N0} ({ledgerRate:N0} events/s)",
                "≥ 20,000 events/s", ledgerRate >= 20_000);

            var size = await db.ScalarAsync<long>(BenchDatabase.Scale, $"select pg_database_size('{BenchDatabase.Scale}')");
            report.Figure("database size per million events", $"{size / 1024.0 / 1024 / events * 1_000_000:N0} MB (total {size / 1024.0 / 1024:N0} MB)");
            report.Note("Largest relations at scale:\n\n```\n" + string.Join('\n', await db.LinesAsync(BenchDatabase.Scale, """
                select rpad(n.nspname || '.' || c.relname, 50) || lpad(pg_size_pretty(pg_total_relation_size(c.oid)), 10)
                  || lpad(coalesce(s.n_live_tup, 0)::text, 12) || ' rows'
                from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_stat_user_tables s on s.relid = c.oid
                where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
                order by pg_total_relation_size(c.oid) desc limit 12
                """)) + "\n```");
            // The reads measure a service at rest, as the district stage's do: the sealer and the log writer still work
            // through the bulk load after the ledger has caught up, and took the CPU of the first read windows.
            var settled = await Profile.CaughtUpAsync(db, BenchDatabase.Scale);
            report.Figure("audit seal and transparency log caught up with the bulk load (from process start; the reads start then)",
                settled ? $"{sinceStart.Elapsed.TotalSeconds:F1} s" : $"not after {sinceStart.Elapsed.TotalSeconds:F0} s: the reads below share the machine with them");
            await ReadsAsync(report, options, db, service, key, loaded);
        }
        // A restart of a running deployment: same database, projections and seal caught up by the run above.
        await using (var restarted = ServerProcess.Start(options.ServiceDll, [], env, Path.Combine(logs, "service-scale-restart.log")))
        {
            var cold = await restarted.WaitUntilServingAsync("/api/ledger", key, TimeSpan.FromSeconds(120));
            report.Figure("cold start to first served request (GET /api/ledger, restart on the existing database)", $"{cold.TotalSeconds:F2} s", "≤ 3 s", cold.TotalSeconds <= 3);
            report.Note($"Start-up timeline of that cold start (service log, time since process start):\n\n```\n{restarted.LogHead(25)}\n```");
        }
        report.Note("Slowest statements while the service caught the ledger up and served the reads (auto_explain, ≥ 15 ms; rows and buffers, no timing):\n\n"
                    + Profile.SlowPlans(db.LogFile, 6));
        await db.ExecuteAsync("postgres", $"alter database {BenchDatabase.Scale} reset all");

        var rebuild = await RebuildAsync(options, env, Path.Combine(logs, "projections-rebuild.log"));
        var rate = events / rebuild.Took.TotalSeconds;
        report.Figure("projection rebuild, all projections (`projections rebuild`, process start included)",
            rebuild.Finished ? $"{rebuild.Took.TotalSeconds:F1} s = {rate:N0} events/s" : $"not finished after {rebuild.Took.TotalSeconds:F0} s: < {rate:N0} events/s",
            "≥ 20,000 events/s", rebuild.Finished && rate >= 20_000);
        var progress = await db.LinesAsync(BenchDatabase.Scale,
            "select rpad(name, 30) || lpad(last_seq_id::text, 12) from ticketledger.mt_event_progression order by name");
        report.Note($"`projections rebuild` output:\n\n```\n{rebuild.Output}\n```\n\nProjection progress afterwards (name, last sequence; {highWater:N0} is the end):\n\n```\n{string.Join('\n', progress)}\n```");
        // All projections rebuild side by side on the same cores; one at a time shows what each costs on its own.
        foreach (var name in new[] { "Ledger", "Ticket" })
        {
            var alone = await RebuildAsync(options, env, Path.Combine(logs, $"projections-rebuild-{name}.log"), "-p", name);
            var aloneRate = events / alone.Took.TotalSeconds;
            report.Figure($"rebuild of {name} alone (`projections rebuild -p {name}`, process start included)",
                alone.Finished ? $"{alone.Took.TotalSeconds:F1} s = {aloneRate:N0} events/s ({alone.Output.Split('\n').LastOrDefault(l => l.Contains("Finished rebuilding", StringComparison.Ordinal))?.Trim()})"
                    : $"not finished after {alone.Took.TotalSeconds:F0} s: < {aloneRate:N0} events/s");
        }
    }

    public static async Task<(bool CaughtUp, long Reached, TimeSpan Took)> LedgerCatchUpAsync(BenchDatabase db, string database, long highWater, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        long reached = 0;
        while (clock.Elapsed < limit)
        {
            reached = await db.ScalarAsync<long>(database,
                "select coalesce(max(last_seq_id), 0) from ticketledger.mt_event_progression where name like 'Ledger%'");
            if (reached >= highWater) return (true, reached, clock.Elapsed);
            await Task.Delay(250);
        }
        return (false, reached, clock.Elapsed);
    }

    private static async Task ReadsAsync(Report report, BenchOptions options, BenchDatabase db, ServerProcess service, string key, ScaleLoader.Loaded loaded)
    {
        using var http = LoadGenerator.Client(service.BaseUrl, key);
        var assigned = await db.ScalarAsync<long>(BenchDatabase.Scale,
            "select count(*) from ticketledger.mt_doc_ticketview where data ->> 'status' in ('assigned', 'Assigned')");
        var deepPage = (int)Math.Clamp(assigned / 20, 1, 500);
        var reads = new (string Name, string Url, string Target, double Limit)[]
        {
            ("GET /api/ledger", "/api/ledger", "≤ 5 ms", 5),
            ("GET /api/ledger?asOf=2020-03-15", "/api/ledger?asOf=2020-03-15", "≤ 25 ms", 25),
            ("GET /api/tickets?status=assigned page 1", "/api/tickets?status=assigned&page=1", "≤ 25 ms", 25),
            ($"GET /api/tickets?status=assigned page {deepPage}", $"/api/tickets?status=assigned&page={deepPage}", "≤ 25 ms", 25),
        };
        foreach (var (name, url, target, limit) in reads)
        {
            var one = report.Add("reads", $"{name} ({loaded.Tickets:N0} tickets)", 1,
                await LoadGenerator.RunAsync(http, 1, _ => new FixedGet(url), options.Warmup, options.Measure));
            report.Figure($"{name} p99 (1 client)", $"{one.P99Ms:F2} ms", target, one.P99Ms <= limit && one.Errors == 0);
        }
        report.Add("reads", $"GET /api/ledger ({loaded.Tickets:N0} tickets)", 8,
            await LoadGenerator.RunAsync(http, 8, _ => new FixedGet("/api/ledger"), options.Warmup, options.Measure, () => service.SampleRssKb()));
        report.Figure("RSS of the service under read load at scale (peak VmRSS)", $"{service.PeakRssKb / 1024.0:F0} MB", "≤ 300 MB", service.PeakRssKb <= 300 * 1024);
    }

    private static async Task<(bool Finished, TimeSpan Took, string Output)> RebuildAsync(BenchOptions options, Dictionary<string, string> env, string log, params string[] only)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(options.ServiceDll)! };
        foreach (var a in new[] { options.ServiceDll, "projections", "rebuild" }.Concat(only)) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var finished = true;
        using (var limit = new CancellationTokenSource(options.RebuildLimit))
        {
            try { await process.WaitForExitAsync(limit.Token); }
            catch (OperationCanceledException)
            {
                finished = false;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        var took = clock.Elapsed;
        var output = (await stdout + await stderr).Trim();
        await File.WriteAllTextAsync(log, output);
        if (finished && process.ExitCode != 0) throw new InvalidOperationException($"projections rebuild failed ({process.ExitCode}): {output}");
        var lines = output.Split('\n').Where(l => l.Contains("rebuil", StringComparison.OrdinalIgnoreCase) || l.Contains("Finished", StringComparison.Ordinal)).Take(30);
        return (finished, took, string.Join('\n', lines));
    }
}
