namespace TicketLedger.Benchmarks;

/// <summary>
/// One measured window against the service, as the builds and office stages take it: it starts once the async ledger,
/// the sealer and the log have caught up (so it does not pay for the window before it), and records beside its row the
/// CPU per request and the database's waits, and the CPU other processes took meanwhile.
/// </summary>
public static class ServiceWindow
{
    public static async Task<(Summary Row, double OtherCores)> MeasureAsync(Report report, BenchOptions options, BenchDatabase db, string database,
        ServerProcess service, HttpClient http, string group, string label, int clients, Func<int, IClientScript> script)
    {
        await Profile.CaughtUpAsync(db, database);
        var others = OtherCpu.Start(service.Pid, db.PostmasterPid);
        LoadEvidence? evidence = null;
        var result = await LoadGenerator.RunAsync(http, clients, script, options.Warmup, options.Measure, () => service.SampleRssKb(),
            () => evidence = LoadEvidence.Start(db, database, service.Pid));
        await using (evidence)
        {
            var cost = await evidence!.StopAsync(result.Requests);
            var row = report.Add(group, label, clients, result);
            report.Note($"{label}: {cost}");
            return (row, others.Cores());
        }
    }
}
