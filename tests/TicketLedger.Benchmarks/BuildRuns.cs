using System.Text;
using static TicketLedger.Benchmarks.Report;

namespace TicketLedger.Benchmarks;

/// <summary>
/// Two builds of the service, before and after one change (`run.sh --compare <git revision>` builds the other one),
/// and the vanilla Marten + Wolverine endpoint, in rotating rounds of the same run (A B V, then V B A, …), each service
/// start on a fresh database of its own: raise and the lifecycle mix at 32 clients with Idempotency-Key, the vanilla
/// stream start and append at 32 clients; in the last round, what one lifecycle command costs. On a shared 2-core
/// machine single runs of a 10 % lever drown in noise; rounds that alternate the order weigh a drift on every side.
/// </summary>
public static class BuildRuns
{
    private const int Clients = 32;
    private const string Raise = "raise";
    private const string Lifecycle = "lifecycle mix";
    private const string VanillaStart = "stream start";
    private const string VanillaAppend = "append";

    /// <summary>
    /// Unmeasured load of each workload before the first window. On 2 busy cores one build compiled its request path at
    /// its optimising tier 8–10 s later than the other; with a 2 s warm-up a window measured whichever build's tiering
    /// happened to lag, and the build that did not lag looked faster (results/2026-11-30-quick-jit-summary.md).
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(15);

    private sealed record Contender(string Label, string? ServiceDll)
    {
        public bool IsVanilla => ServiceDll is null;
        public string[] Workloads => IsVanilla ? [VanillaStart, VanillaAppend] : [Raise, Lifecycle];
    }

    private sealed record Measured(Summary Result, double OtherCores);

    public static async Task CompareAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        var a = new Contender($"A ({options.LabelA})", options.ServiceDll);
        var b = new Contender($"B ({options.LabelB})", options.ServiceDllB);
        var vanilla = new Contender("vanilla", null);
        var results = new Dictionary<(Contender, string, int), Measured>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var contender in round % 2 == 1 ? new[] { a, b, vanilla } : [vanilla, b, a])
            {
                Console.WriteLine($"  -- round {round}: {contender.Label}");
                var database = $"bench_build_{(contender == a ? "a" : contender == b ? "b" : "v")}_{round}";
                db.Create(database);
                foreach (var (workload, measured) in contender.IsVanilla
                             ? await VanillaRoundAsync(report, options, db, database, logs, round)
                             : await ServiceRoundAsync(report, options, db, database, key, logs, contender, round))
                    results[(contender, workload, round)] = measured;
            }
        }
        Table(report, options, [a, b, vanilla], results);
    }

    private static async Task<List<(string, Measured)>> ServiceRoundAsync(
        Report report, BenchOptions options, BenchDatabase db, string database, string key, string logs, Contender contender, int round)
    {
        var measured = new List<(string, Measured)>();
        await using var service = ServerProcess.Start(contender.ServiceDll!, [], Run.ServiceEnvironment(db.ConnectionString(database), key),
            Path.Combine(logs, $"service-build-{database}.log"));
        await service.WaitUntilServingAsync(ServiceRuns.ReadyPath, key, TimeSpan.FromSeconds(120));
        using var http = LoadGenerator.Client(service.BaseUrl, key);
        var world = new TicketWorld();
        await world.RegisterSubjectsAsync(http, Clients);
        // Open tickets for 1,500 commands/s over the window, three per ticket; raising them also warms the process.
        var pool = (int)((options.Measure + options.Warmup).TotalSeconds * 1_500 / 3);
        await world.FillPoolAsync(http, pool);
        await LoadGenerator.SettleAsync(http, Clients, i => new RaiseScript(world, i), Settle);
        await LoadGenerator.SettleAsync(http, Clients, i => new LifecycleScript(world, i), Settle);
        await world.FillPoolAsync(http, pool);

        async Task Measure(string workload, Func<int, IClientScript> script)
        {
            var (row, others) = await ServiceWindow.MeasureAsync(report, options, db, database, service, http,
                "builds", $"{workload}, {contender.Label} (round {round})", Clients, script);
            measured.Add((workload, new Measured(row, others)));
        }

        await Measure(Raise, i => new RaiseScript(world, i));
        await world.FillPoolAsync(http, pool);
        await Measure(Lifecycle, i => new LifecycleScript(world, i));
        if (round == options.Rounds)
        {
            var walker = new LifecycleScript(world, 0);
            report.Note($"**{contender.Label}**: " + await Profile.WritesPerCommandAsync(db, database, service.Pid,
                () => LoadGenerator.SequentialAsync(http, 300, _ => walker), traceName: $"lifecycle-{database}"));
            // Raise against lifecycle, per command: whether the raise is bound by its own work or by its office's row.
            var raiser = new RaiseScript(world, 0);
            report.Note($"**{contender.Label}**: " + await Profile.WritesPerCommandAsync(db, database, service.Pid,
                () => LoadGenerator.SequentialAsync(http, 300, _ => raiser), "raise", $"raise-{database}"));
        }
        return measured;
    }

    private static async Task<List<(string, Measured)>> VanillaRoundAsync(
        Report report, BenchOptions options, BenchDatabase db, string database, string logs, int round)
    {
        var measured = new List<(string, Measured)>();
        await using var server = ServerProcess.Start(typeof(Run).Assembly.Location, ["serve-vanilla", "--port", "{port}", "--cs", db.ConnectionString(database)],
            new Dictionary<string, string>(), Path.Combine(logs, $"vanilla-{database}.log"));
        await server.WaitUntilServingAsync("/health", null, TimeSpan.FromSeconds(60));
        using var http = LoadGenerator.Client(server.BaseUrl);
        var workloads = new (string, Func<int, IClientScript>)[] { (VanillaStart, _ => new VanillaStartScript()), (VanillaAppend, _ => new VanillaRespondScript()) };
        foreach (var (_, script) in workloads) await LoadGenerator.SettleAsync(http, Clients, script, Settle);
        foreach (var (workload, script) in workloads)
        {
            var others = OtherCpu.Start(server.Pid, db.PostmasterPid);
            var result = await LoadGenerator.RunAsync(http, Clients, script, options.Warmup, options.Measure);
            measured.Add((workload, new Measured(report.Add("builds", $"vanilla {workload} (round {round})", Clients, result), others.Cores())));
        }
        return measured;
    }

    private static void Table(Report report, BenchOptions options, Contender[] contenders, Dictionary<(Contender, string, int), Measured> results)
    {
        var rounds = Enumerable.Range(1, options.Rounds).ToArray();
        var text = new StringBuilder();
        text.AppendLine($"A/B at {Clients} clients, {options.Rounds} rounds in the order A B V, V B A, …; requests/s (p99 ms) [other processes' CPU, cores]:\n");
        text.AppendLine($"| contender | workload | {string.Join(" | ", rounds.Select(r => $"round {r}"))} | mean |");
        text.AppendLine($"|---|---|{string.Concat(rounds.Select(_ => "---:|"))}---:|");
        foreach (var contender in contenders)
        foreach (var workload in contender.Workloads)
        {
            var cells = rounds.Select(r => results.TryGetValue((contender, workload, r), out var m)
                ? Invariant($"{m.Result.PerSecond:N0} ({m.Result.P99Ms:F0}) [{m.OtherCores:F2}]") : "—");
            text.AppendLine($"| {contender.Label} | {workload} | {string.Join(" | ", cells)} | {Invariant($"{Mean(results, contender, workload, rounds):N0}")} |");
        }
        report.Note(text.ToString());

        var (a, b, vanilla) = (contenders[0], contenders[1], contenders[2]);
        report.Figure($"lifecycle, B ÷ A (mean of {options.Rounds} rounds)", Invariant($"{Mean(results, b, Lifecycle, rounds) / Mean(results, a, Lifecycle, rounds):F2}×"));
        report.Figure($"raise, B ÷ A (mean of {options.Rounds} rounds)", Invariant($"{Mean(results, b, Raise, rounds) / Mean(results, a, Raise, rounds):F2}×"));
        foreach (var contender in new[] { a, b })
        {
            var lifecycle = Mean(results, contender, Lifecycle, rounds) / Mean(results, vanilla, VanillaAppend, rounds);
            var raise = Mean(results, contender, Raise, rounds) / Mean(results, vanilla, VanillaStart, rounds);
            report.Figure($"{contender.Label}: lifecycle vs vanilla append", Invariant($"{lifecycle:F2}×"), "≥ 1.0×", lifecycle >= 1.0);
            report.Figure($"{contender.Label}: raise vs vanilla stream start", Invariant($"{raise:F2}×"), "≥ 0.8×", raise >= 0.8);
        }
    }

    private static double Mean(Dictionary<(Contender, string, int), Measured> results, Contender contender, string workload, int[] rounds) =>
        rounds.Select(r => results.TryGetValue((contender, workload, r), out var m) ? m.Result.PerSecond : double.NaN).Average();
}
