using System.Security.Cryptography;
using System.Text;

namespace TicketLedger.Benchmarks;

/// <summary>The whole run, in the order of the brief: ceiling, reference endpoints, the service over HTTP (one office, then against a district, then on several nodes and their failover), then scale (one office, then the district), then the log.</summary>
public static class Run
{
    public const string VanillaStart = "vanilla Marten+Wolverine stream start";
    public const string GroupedCeiling = "pgbench: 8 commands per transaction, 4 clients (commands/s)";

    public static async Task<int> All(BenchOptions options)
    {
        if (!File.Exists(options.ServiceDll)) throw new FileNotFoundException("--service must point at a built TicketLedger.dll", options.ServiceDll);
        var report = new Report(options);
        var logs = Directory.CreateTempSubdirectory("ticketledger-bench-logs-").FullName;
        Console.WriteLine($"Server logs in {logs}");

        using var db = BenchDatabase.Start();
        await Machine.DescribeAsync(report, db, options);

        if (options.Runs("ceiling"))
        {
            Console.WriteLine("\n== 1. Ceiling: pgbench, the two-row transaction");
            await db.ExecuteAsync(BenchDatabase.Pgbench, TwoRowTransaction.Schema);
            foreach (var c in options.Clients) report.Add("ceiling", "pgbench: view upsert + event insert", c, await Pgbench.RunAsync(db, c, options));
            // Group commit's ceiling, measured before building it: the same 32 commands in flight, 8 to a transaction.
            report.Add("ceiling", GroupedCeiling, 32, await Pgbench.RunAsync(db, 4, options, commandsPerTransaction: 8));
        }
        if (options.Runs("reference"))
        {
            Console.WriteLine("\n== 2. Reference endpoints");
            await db.ExecuteAsync(BenchDatabase.Raw, TwoRowTransaction.Schema);
            await ReferenceAsync(report, options, "serve-raw", db.ConnectionString(BenchDatabase.Raw), "raw Npgsql endpoint", i => new RawRespondScript(i), logs);
            await ReferenceAsync(report, options, "serve-vanilla", db.ConnectionString(BenchDatabase.Vanilla), "vanilla Marten+Wolverine endpoint", _ => new VanillaRespondScript(), logs);
            await ReferenceAsync(report, options, "serve-vanilla", db.ConnectionString(BenchDatabase.Vanilla), VanillaStart, _ => new VanillaStartScript(), logs);
        }
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        if (options.Runs("service"))
        {
            Console.WriteLine("\n== 3. TicketLedger over HTTP");
            await ServiceRuns.CommandsAsync(report, options, db, key, logs);
            ServiceRuns.JudgeCommands(report);
        }
        if (options.Runs("builds"))
        {
            if (options.ServiceDllB is null || !File.Exists(options.ServiceDllB))
                throw new FileNotFoundException("the builds stage needs --service-b (run.sh --compare <revision> builds it)", options.ServiceDllB);
            Console.WriteLine($"\n== 3a. Two builds against vanilla, {options.Rounds} round(s)");
            await BuildRuns.CompareAsync(report, options, db, key, logs);
        }
        if (options.Runs("offices"))
        {
            Console.WriteLine($"\n== 3b. One office against a district of {OfficeRuns.Codes.Length}, {options.Rounds} round(s)");
            await OfficeRuns.CompareAsync(report, options, db, key, logs);
        }
        if (options.Runs("nodes"))
        {
            Console.WriteLine($"\n== 3c. 1, 2 and 3 service processes on one database, {options.Rounds} round(s)");
            await NodeRuns.ThroughputAsync(report, options, db, key, logs);
        }
        if (options.Runs("failover"))
        {
            Console.WriteLine($"\n== 3d. Failover: {NodeRuns.Kills} kills of the node running the ledger projection");
            await NodeRuns.FailoverAsync(report, options, db, key, logs);
        }
        if (options.Runs("scale"))
        {
            Console.WriteLine($"\n== 4. Scale: {options.ScaleEvents:N0} events");
            await ServiceRuns.ScaleAsync(report, options, db, key, logs);
        }
        if (options.Runs("district"))
        {
            Console.WriteLine($"\n== 4b. District ledger: {options.ScaleEvents:N0} events in {OfficeRuns.Codes.Length} offices");
            await DistrictRuns.RunAsync(report, options, db, key, logs);
        }
        if (options.Runs("log"))
        {
            Console.WriteLine($"\n== 5. Transparency log: {options.ScaleEvents:N0} events");
            await LogRuns.RunAsync(report, options, db, key, logs);
        }

        report.Machine($"load average at the end: {Machine.LoadAverage()}");
        var path = report.Write();
        Console.WriteLine($"\nResults: {path}");
        return 0;
    }

    private static async Task ReferenceAsync(
        Report report, BenchOptions options, string mode, string connectionString, string name, Func<int, IClientScript> script, string logs)
    {
        var self = typeof(Run).Assembly.Location;
        await using var server = ServerProcess.Start(self, [mode, "--port", "{port}", "--cs", connectionString],
            new Dictionary<string, string>(), Path.Combine(logs, $"{mode}.log"));
        await server.WaitUntilServingAsync("/health", null, TimeSpan.FromSeconds(60));
        using var http = LoadGenerator.Client(server.BaseUrl);
        foreach (var c in options.Clients)
            report.Add("reference", name, c, await LoadGenerator.RunAsync(http, c, script, options.Warmup, options.Measure));
    }

    /// <summary>
    /// The service's settings; any BENCH_SERVICE_SET_&lt;name&gt; variable is passed on as &lt;name&gt; for diagnostic runs
    /// (e.g. BENCH_SERVICE_SET_Audit__SealEvery=01:00:00 to take the audit sealer out of the picture), and
    /// BENCH_SERVICE_CONNECTION=&lt;keywords&gt; is appended to the service's connection string only (e.g. "Max Auto Prepare=0"
    /// to A/B an Npgsql setting without changing the references').
    /// </summary>
    public static Dictionary<string, string> ServiceEnvironment(string connectionString, string key) => new Dictionary<string, string>
    {
        ["ConnectionStrings__Marten"] = Environment.GetEnvironmentVariable("BENCH_SERVICE_CONNECTION") is { Length: > 0 } extra
            ? $"{connectionString};{extra}"
            : connectionString,
        ["ASPNETCORE_ENVIRONMENT"] = Environment.GetEnvironmentVariable("BENCH_SERVICE_ENVIRONMENT") ?? "Production",
        ["Auth__ApiKeys__0__Name"] = "bench",
        ["Auth__ApiKeys__0__Role"] = "admin",
        ["Auth__ApiKeys__0__KeySha256"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant(),
        // Production refuses to start without a key to sign the transparency log's checkpoints.
        [SigningKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    }.Concat(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => ((string)e.Key).StartsWith(Override, StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create(((string)e.Key)[Override.Length..], (string)e.Value!)))
        .ToDictionary();

    private const string Override = "BENCH_SERVICE_SET_";

    public const string SigningKey = "Audit__SigningKey";
}
