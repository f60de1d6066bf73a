using System.Text;
using static TicketLedger.Benchmarks.Report;

namespace TicketLedger.Benchmarks;

/// <summary>
/// The service as one office against the service as a district of eight (docs/offices.md), each on a database of its
/// own, in alternating rounds of the same run: raise and the lifecycle mix at 32 clients, which in the district are
/// dealt out to the offices (4 each), every client raising on its own office's subjects and walking its own office's
/// tickets, naming the office in X-Office with a key allowed every office; then the ledger read by 8 clients; in the
/// last round, what one lifecycle command costs in CPU, WAL flushes and rows.
/// Raise should gain (one counter row per office and year instead of one for all); nothing else may lose over 10 %.
/// </summary>
public static class OfficeRuns
{
    public const int Clients = 32;
    public static readonly string[] Codes = Enumerable.Range(1, 8).Select(i => $"o{i}").ToArray();

    private const string Raise = "raise (POST /api/tickets)";
    private const string Lifecycle = "assign/respond/resolve mix";
    private const string LedgerRead = "GET /api/ledger (own office)";
    private const string LedgerReadOneOffice = "diagnostic: GET /api/ledger, every client in o1";
    private const int LedgerClients = 8;
    private static readonly string[] Workloads = [Raise, Lifecycle, LedgerRead];

    /// <summary>The district: eight offices on the default clock, the one key allowed all of them (`Offices=*`).</summary>
    public static Dictionary<string, string> DistrictEnvironment(string connectionString, string key)
    {
        var env = Run.ServiceEnvironment(connectionString, key);
        for (var i = 0; i < Codes.Length; i++)
        {
            env[$"Offices__{i}__Code"] = Codes[i];
            env[$"Offices__{i}__Name"] = $"基准办事处 {i + 1}";
        }
        env["Auth__ApiKeys__0__Offices"] = "*";
        return env;
    }

    private sealed record Setup(string Label, string Slug, string Database, Dictionary<string, string> Environment, TicketWorld[] Worlds)
    {
        /// <summary>Client i belongs to office i mod n, and is that office's (i div n)-th client.</summary>
        public TicketWorld WorldOf(int client) => Worlds[client % Worlds.Length];
        public int IndexIn(int client) => client / Worlds.Length;
    }

    private sealed record Measured(Summary Result, double OtherCores);

    public static async Task CompareAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        var one = new Setup("one office", "one", BenchDatabase.OneOffice,
            Run.ServiceEnvironment(db.ConnectionString(BenchDatabase.OneOffice), key), [new TicketWorld()]);
        var eight = new Setup("8 offices", "eight", BenchDatabase.EightOffices,
            DistrictEnvironment(db.ConnectionString(BenchDatabase.EightOffices), key), Codes.Select(c => new TicketWorld(c)).ToArray());
        var results = new Dictionary<(Setup, string, int), Measured>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // A B, then B A: a load that drifts across the run weighs on both sides alike.
            foreach (var setup in round % 2 == 1 ? new[] { one, eight } : [eight, one])
            {
                Console.WriteLine($"  -- round {round}: {setup.Label}");
                foreach (var (workload, measured) in await RoundAsync(report, options, db, key, logs, setup, round))
                    results[(setup, workload, round)] = measured;
            }
        }
        Compare(report, options, one, eight, results);
    }

    private static async Task<List<(string, Measured)>> RoundAsync(
        Report report, BenchOptions options, BenchDatabase db, string key, string logs, Setup setup, int round)
    {
        var measured = new List<(string, Measured)>();
        await using var service = ServerProcess.Start(options.ServiceDll, [], setup.Environment,
            Path.Combine(logs, $"service-offices-{setup.Slug}-{round}.log"));
        await service.WaitUntilServingAsync(ServiceRuns.ReadyPath, key, TimeSpan.FromSeconds(120), setup.Worlds[0].Office);
        using var http = LoadGenerator.Client(service.BaseUrl, key);
        if (setup.Worlds[0].Subjects.Count == 0)
            foreach (var world in setup.Worlds) await world.RegisterSubjectsAsync(http, Clients / setup.Worlds.Length);

        // Settled windows, as in the builds stage: unsettled, the district's faster raise left its lifecycle window the
        // catch-up. The CPU per request shows what a district spends where one office does not.
        async Task Measure(string workload, int clients, Func<int, IClientScript> script)
        {
            var (row, others) = await ServiceWindow.MeasureAsync(report, options, db, setup.Database, service, http,
                "offices", $"{workload}, {setup.Label} (round {round})", clients, script);
            measured.Add((workload, new Measured(row, others)));
        }

        // The pool is filled (untimed) before raise too: those raises warm the fresh process up. Enough open tickets
        // for 1,000 commands/s over the window, three per ticket, dealt to the offices with a quarter to spare.
        var pool = (int)((options.Measure + options.Warmup).TotalSeconds * 1_000 / 3 * 1.25 / setup.Worlds.Length);
        await FillAsync(http, setup, pool);
        await Measure(Raise, Clients, i => new RaiseScript(setup.WorldOf(i), setup.IndexIn(i)));
        await FillAsync(http, setup, pool);
        await Measure(Lifecycle, Clients, i => new LifecycleScript(setup.WorldOf(i), setup.IndexIn(i)));
        await Measure(LedgerRead, LedgerClients, i => new FixedGet("/api/ledger", setup.WorldOf(i).Office));
        // Diagnostic: the same read with every client in one office. The chain head that vouches for a ledger is
        // remembered for one sequence only (Audit/AuditChain.cs), and each office's ledger ends at its own sequence.
        if (setup.Worlds.Length > 1)
            await Measure(LedgerReadOneOffice, LedgerClients, _ => new FixedGet("/api/ledger", setup.Worlds[0].Office));
        // CPU, WAL flushes and rows per command compare the setups where requests/s on a shared machine cannot.
        if (round == options.Rounds)
        {
            var walkers = setup.Worlds.Select(w => new LifecycleScript(w, 0)).ToArray();
            // One ticket's three commands, then the next office's.
            report.Note($"**{setup.Label}**: " + await Profile.WritesPerCommandAsync(db, setup.Database, service.Pid,
                () => LoadGenerator.SequentialAsync(http, 300, c => walkers[c / 3 % walkers.Length])));
        }
        return measured;
    }

    private static async Task FillAsync(HttpClient http, Setup setup, int perOffice)
    {
        foreach (var world in setup.Worlds) await world.FillPoolAsync(http, perOffice);
    }

    private static void Compare(Report report, BenchOptions options, Setup one, Setup eight, Dictionary<(Setup, string, int), Measured> results)
    {
        var rounds = Enumerable.Range(1, options.Rounds).ToArray();
        var md = new StringBuilder("""
            One office against 8 offices (same run, alternating rounds; clients as in the table, in the district dealt 4 to
            each office for the commands, 1 per office for the ledger read). "Others" is the CPU other processes on the
            machine took during the window (cores of 2; this program, the service and the cluster excluded).

            | workload | round | one office req/s | p50 | p95 | p99 ms | 8 offices req/s | p50 | p95 | p99 ms | req/s 8 ÷ 1 | p99 8 ÷ 1 | others (cores) 1 / 8 |
            |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|

            """);
        foreach (var workload in Workloads)
        {
            foreach (var round in rounds)
            {
                var (a, b) = (results[(one, workload, round)], results[(eight, workload, round)]);
                md.AppendLine(Invariant($"| {workload} | {round} | {a.Result.PerSecond:F0} | {a.Result.P50Ms:F1} | {a.Result.P95Ms:F1} | {a.Result.P99Ms:F1} | {b.Result.PerSecond:F0} | {b.Result.P50Ms:F1} | {b.Result.P95Ms:F1} | {b.Result.P99Ms:F1} | {b.Result.PerSecond / a.Result.PerSecond:F2}× | {b.Result.P99Ms / a.Result.P99Ms:F2}× | {a.OtherCores:F2} / {b.OtherCores:F2} |"));
            }
            var (x, y) = (Mean(one, workload), Mean(eight, workload));
            md.AppendLine(Invariant($"| **{workload}** | mean | {x.PerSecond:F0} | {x.P50:F1} | {x.P95:F1} | {x.P99:F1} | {y.PerSecond:F0} | {y.P50:F1} | {y.P95:F1} | {y.P99:F1} | **{y.PerSecond / x.PerSecond:F2}×** | **{y.P99 / x.P99:F2}×** | {x.Others:F2} / {y.Others:F2} |"));
        }
        md.AppendLine().AppendLine(Invariant($"Diagnostic, 8 offices, {LedgerClients} clients all reading o1's ledger instead of each its own: ")
            + string.Join("; ", rounds.Select(r => results[(eight, LedgerReadOneOffice, r)].Result)
                .Select((m, i) => Invariant($"round {i + 1} {m.PerSecond:F0}/s, p50 {m.P50Ms:F1}, p99 {m.P99Ms:F1} ms"))) + ".");
        report.Note(md.ToString());

        (double PerSecond, double P50, double P95, double P99, double Others) Mean(Setup setup, string workload)
        {
            var all = rounds.Select(r => results[(setup, workload, r)]).ToArray();
            return (all.Average(m => m.Result.PerSecond), all.Average(m => m.Result.P50Ms), all.Average(m => m.Result.P95Ms),
                all.Average(m => m.Result.P99Ms), all.Average(m => m.OtherCores));
        }

        var (raiseOne, raiseEight) = (Mean(one, Raise), Mean(eight, Raise));
        report.Figure($"raise at {Clients} clients, 8 offices ÷ one office (mean of {rounds.Length} rounds)",
            Invariant($"{raiseEight.PerSecond / raiseOne.PerSecond:F2}× requests/s ({raiseOne.PerSecond:F0} → {raiseEight.PerSecond:F0}), p99 {raiseOne.P99:F0} → {raiseEight.P99:F0} ms"),
            // Raises commit in groups per office: eight offices split the same clients into smaller groups, and must
            // cost nothing against one (before groups each office was a chain to escape, and eight were expected to gain).
            "≥ 0.90×", raiseEight.PerSecond >= 0.9 * raiseOne.PerSecond);
        foreach (var (workload, clients) in new[] { (Lifecycle, Clients), (LedgerRead, LedgerClients) })
        {
            var (x, y) = (Mean(one, workload), Mean(eight, workload));
            report.Figure($"{workload} at {clients} clients, 8 offices ÷ one office: requests/s (mean of {rounds.Length} rounds)",
                Invariant($"{y.PerSecond / x.PerSecond:F2}× ({x.PerSecond:F0} → {y.PerSecond:F0})"), "≥ 0.90×", y.PerSecond >= 0.9 * x.PerSecond);
            report.Figure($"{workload} at {clients} clients, 8 offices ÷ one office: p99",
                Invariant($"{y.P99 / x.P99:F2}× ({x.P99:F1} → {y.P99:F1} ms)"), "≤ 1.10×", y.P99 <= 1.1 * x.P99);
        }
        report.Figure("errors in the office comparison (all windows)", $"{results.Values.Sum(m => m.Result.Errors)}", "0", results.Values.All(m => m.Result.Errors == 0));
        report.Figure("tickets raised inside lifecycle windows because an office's pool ran dry (one office / 8 offices)",
            $"{one.Worlds.Sum(w => w.RaisedInsideWindows)} / {eight.Worlds.Sum(w => w.RaisedInsideWindows)}");
    }
}
