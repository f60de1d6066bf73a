namespace TicketLedger.Benchmarks;

/// <summary>
/// One process drives the whole run (run.sh builds and starts it), so every figure comes from the same minutes on the
/// same machine and the ratios between them hold even when the machine is noisy. The reference servers are this same
/// program started again in `serve-raw` / `serve-vanilla` mode, each in its own process like the real service.
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        try
        {
            return options.Mode switch
            {
                "serve-raw" => await RawEndpoint.Serve(options),
                "serve-vanilla" => await VanillaEndpoint.Serve(options),
                "run" => await Run.All(options),
                "dashboard" => await DashboardLoads.Run(args),
                "load" => await ProfileLoad.Run(args),
                _ => Usage(),
            };
        }
        catch (Exception e)
        {
            // Caught so the throwaway cluster and the child servers are disposed on the way out.
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: TicketLedger.Benchmarks run --service <TicketLedger.dll> [--quick] [--events N] [--seconds S] [--out <results dir>]
                   (run.sh builds everything and passes these; serve-raw / serve-vanilla are started by `run` itself)
                   TicketLedger.Benchmarks load --url <running service> [--key K] [--clients 32] [--seconds 30] [--script lifecycle|raise] [--no-keys] [--office X] [--pool 3000]
                   TicketLedger.Benchmarks dashboard --url <running service> [--key <reader key>] [--loads 20] [--out <results dir>]
            """);
        return 2;
    }
}
