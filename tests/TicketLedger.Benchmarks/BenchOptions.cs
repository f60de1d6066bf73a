namespace TicketLedger.Benchmarks;

public sealed record BenchOptions(
    string Mode,
    string ServiceDll,
    int ScaleEvents,
    TimeSpan Measure,
    TimeSpan Warmup,
    string ResultsDirectory,
    string ConnectionString,
    int Port,
    int[] Clients,
    string[] Stages,
    TimeSpan CatchUpLimit,
    TimeSpan RebuildLimit,
    int Rounds,
    string? Name,
    string? ServiceDllB,
    string LabelA,
    string LabelB)
{
    public const int DefaultEvents = 1_000_000;
    public const int QuickEvents = 50_000;

    public bool Quick => ScaleEvents < DefaultEvents;

    public bool Runs(string stage) => Stages.Contains(stage);

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var quick = args.Contains("--quick");
        var seconds = double.Parse(Value("--seconds") ?? (quick ? "5" : "12"), System.Globalization.CultureInfo.InvariantCulture);
        return new BenchOptions(
            Mode: args.Length > 0 ? args[0] : "",
            ServiceDll: Value("--service") ?? "",
            ScaleEvents: int.Parse(Value("--events") ?? (quick ? QuickEvents : DefaultEvents).ToString()),
            Measure: TimeSpan.FromSeconds(seconds),
            Warmup: TimeSpan.FromSeconds(Math.Max(2, seconds / 4)),
            ResultsDirectory: Value("--out") ?? Path.Combine(AppContext.BaseDirectory, "results"),
            ConnectionString: Value("--cs") ?? "",
            Port: int.Parse(Value("--port") ?? "0"),
            Clients: [1, 8, 32],
            Stages: (Value("--stages") ?? "ceiling,reference,service,offices,scale,district,log").Split(','),
            // The run must end within minutes even when a projection is slow; a cut-off is reported as a missed target.
            CatchUpLimit: TimeSpan.FromSeconds(int.Parse(Value("--catch-up-limit") ?? "180")),
            RebuildLimit: TimeSpan.FromSeconds(int.Parse(Value("--rebuild-limit") ?? "180")),
            // Rounds of the one-office / eight-office comparison, in the order AB BA..., so a drift of the machine's load
            // between them shows in the rounds instead of in the ratio.
            Rounds: int.Parse(Value("--rounds") ?? "2"),
            Name: Value("--name"),
            // The builds stage: a second build of the service and what each build is (run.sh --compare sets them).
            ServiceDllB: Value("--service-b"),
            LabelA: Value("--label-a") ?? "this build",
            LabelB: Value("--label-b") ?? "the other build");
    }
}
