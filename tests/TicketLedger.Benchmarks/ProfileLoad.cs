namespace TicketLedger.Benchmarks;

/// <summary>
/// The lifecycle mix (or raise) of the service stage against a service that is already running, for as long as a
/// profiler needs (`dotnet-trace collect -p <pid>` beside it): the run's own stages start and stop their processes,
/// which leaves no steady window to attach to.
/// </summary>
public static class ProfileLoad
{
    public static async Task<int> Run(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var url = Value("--url") ?? throw new ArgumentException("--url is required");
        var clients = int.Parse(Value("--clients") ?? "32");
        var seconds = TimeSpan.FromSeconds(double.Parse(Value("--seconds") ?? "30", System.Globalization.CultureInfo.InvariantCulture));
        var raise = Value("--script") == "raise";
        var idempotent = !args.Contains("--no-keys");

        using var http = LoadGenerator.Client(url, Value("--key") ?? "local-staff-key");
        var world = new TicketWorld(Value("--office"));
        await world.RegisterSubjectsAsync(http, 32);
        if (!raise) await world.FillPoolAsync(http, int.Parse(Value("--pool") ?? "3000"));
        Console.WriteLine($"ready: {(raise ? "raise" : "lifecycle")} at {clients} clients for {seconds.TotalSeconds} s");
        var summary = await LoadGenerator.RunAsync(http, clients,
            i => raise ? new RaiseScript(world, i) : new LifecycleScript(world, i, idempotent), TimeSpan.FromSeconds(3), seconds);
        Console.WriteLine(summary);
        return 0;
    }
}
