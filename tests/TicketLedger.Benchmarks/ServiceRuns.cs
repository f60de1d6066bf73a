using System.Diagnostics;

namespace TicketLedger.Benchmarks;

/// <summary>The real service, built in Release and started as its own process with a generated admin key.</summary>
public static class ServiceRuns
{
    public const string Raise = "TicketLedger: raise (POST /api/tickets)";
    public const string Lifecycle = "TicketLedger: assign/respond/resolve mix";
    private const string ReadyPath = "/api/tickets?pageSize=1";

    public static async Task CommandsAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        await using var service = ServerProcess.Start(options.ServiceDll, [], Run.ServiceEnvironment(db.ConnectionString(BenchDatabase.Service), key),
            Path.Combine(logs, "service-commands.log"));
        var firstStart = await service.WaitUntilServingAsync(ReadyPath, key, TimeSpan.FromSeconds(120));
        report.Figure("first start on an empty database (schema creation included)", $"{firstStart.TotalSeconds:F2} s");

        using var http = LoadGenerator.Client(service.BaseUrl, key);
        var world = new TicketWorld();
        await world.RegisterSubjectsAsync(http, 32);
        foreach (var c in options.Clients)
            report.Add("service", Raise, c, await LoadGenerator.RunAsync(http, c, i => new RaiseScript(world, i), options.Warmup, options.Measure));
        foreach (var c in options.Clients)
            report.Add("service", Lifecycle, c, await LoadGenerator.RunAsync(http, c, i => new LifecycleScript(world, i), options.Warmup, options.Measure,
                () => service.SampleRssKb()));
        report.Figure("RSS of the service under command load (peak VmRSS)", $"{service.PeakRssKb / 1024.0:F0} MB", "≤ 300 MB", service.PeakRssKb <= 300 * 1024);
    }

    public static void JudgeCommands(Report report)
    {
        var mine = report.Find(Lifecycle, 32);
        var raw = report.Find("raw Npgsql endpoint", 32);
        var vanilla = report.Find("vanilla Marten+Wolverine endpoint", 32);
        var ceiling = report.Find("pgbench: view upsert + event insert", 32);
        if (mine is null || raw is null || vanilla is null || ceiling is null) return;
        report.Figure("lifecycle at 32 clients vs raw Npgsql endpoint", $"{mine.PerSecond / raw.PerSecond:P0}", "≥ 60 %", mine.PerSecond >= 0.6 * raw.PerSecond);
        report.Figure("lifecycle at 32 clients vs vanilla Marten+Wolverine", $"{mine.PerSecond / vanilla.PerSecond:F2}×", "≥ 1.3×", mine.PerSecond >= 1.3 * vanilla.PerSecond);
        report.Figure("lifecycle at 32 clients vs pgbench ceiling", $"{mine.PerSecond / ceiling.PerSecond:P0}");
        report.Figure("lifecycle p99 at 32 clients", $"{mine.P99Ms:F1} ms", "≤ 100 ms", mine.P99Ms <= 100);
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
        report.Figure("events loaded (outside HTTP, parallel Marten sessions, audit trigger on)",
            $"{events:N0} in {loaded.Took.TotalSeconds:F0} s ({events / loaded.Took.TotalSeconds:N0}/s): {loaded.Tickets:N0} tickets, {loaded.Subjects:N0} subjects");

        var rebuild = await RebuildAsync(options, env, Path.Combine(logs, "projections-rebuild.log"));
        var rate = events / rebuild.Took.TotalSeconds;
        report.Figure("projection rebuild, all projections (`projections rebuild`, process start included)",
            $"{rebuild.Took.TotalSeconds:F1} s = {rate:N0} events/s", "≥ 20,000 events/s", rate >= 20_000);
        report.Note($"`projections rebuild` output:\n\n```\n{rebuild.Output}\n```");

        var size = await db.ScalarAsync<long>(BenchDatabase.Scale, $"select pg_database_size('{BenchDatabase.Scale}')");
        report.Figure("database size per million events", $"{size / 1024.0 / 1024 / events * 1_000_000:N0} MB (total {size / 1024.0 / 1024:N0} MB)");
        report.Note("Largest relations after the rebuild:\n\n```\n" + string.Join('\n', await db.LinesAsync(BenchDatabase.Scale, """
            select rpad(n.nspname || '.' || c.relname, 50) || pg_size_pretty(pg_total_relation_size(c.oid))
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
            order by pg_total_relation_size(c.oid) desc limit 12
            """)) + "\n```");

        await using var service = ServerProcess.Start(options.ServiceDll, [], env, Path.Combine(logs, "service-scale.log"));
        var cold = await service.WaitUntilServingAsync("/api/ledger", key, TimeSpan.FromSeconds(120));
        report.Figure("cold start to first served request (GET /api/ledger, existing database)", $"{cold.TotalSeconds:F2} s", "≤ 3 s", cold.TotalSeconds <= 3);
        await ReadsAsync(report, options, db, service, key, loaded);
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

    private static async Task<(TimeSpan Took, string Output)> RebuildAsync(BenchOptions options, Dictionary<string, string> env, string log)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(options.ServiceDll)! };
        foreach (var a in new[] { options.ServiceDll, "projections", "rebuild" }) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var took = clock.Elapsed;
        var output = (await stdout + await stderr).Trim();
        await File.WriteAllTextAsync(log, output);
        if (process.ExitCode != 0) throw new InvalidOperationException($"projections rebuild failed ({process.ExitCode}): {output}");
        var lines = output.Split('\n').Where(l => l.Contains("rebuil", StringComparison.OrdinalIgnoreCase) || l.Contains("Finished", StringComparison.Ordinal)).Take(30);
        return (took, string.Join('\n', lines));
    }
}
