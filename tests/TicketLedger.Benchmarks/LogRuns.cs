using System.Diagnostics;
using JasperFx;
using JasperFx.Events;
using Marten;
using TicketLedger.Audit;
using TicketLedger.Transparency;
using Weasel.Core;

namespace TicketLedger.Benchmarks;

/// <summary>
/// The transparency log's costs at scale, on a database of its own: leaves appended for the whole bulk load by the
/// product's own TransparencyLog (what the service's writer does in the background), inclusion and consistency proofs
/// at the full tree size, checkpoint signing, and the offline verifier rebuilding the tree from the export.
/// </summary>
public static class LogRuns
{
    private const int Proofs = 2_000;
    private const int Signatures = 2_000;

    public static async Task RunAsync(Report report, BenchOptions options, BenchDatabase db, string key, string logs)
    {
        var cs = db.ConnectionString(BenchDatabase.Log);
        var env = Run.ServiceEnvironment(cs, key);
        // The service creates the schema (the log's tables included) and is stopped again: the log is measured alone.
        await using (var first = ServerProcess.Start(options.ServiceDll, [], env, Path.Combine(logs, "service-log-schema.log")))
            await first.WaitUntilServingAsync("/api/tickets?pageSize=1", key, TimeSpan.FromSeconds(120));
        await ScaleLoader.LoadAsync(cs, options.ScaleEvents);
        await db.ExecuteAsync(BenchDatabase.Log, "vacuum analyze");

        await using var store = DocumentStore.For(opts =>
        {
            opts.Connection(cs);
            opts.DatabaseSchemaName = "ticketledger";
            opts.AutoCreateSchemaObjects = AutoCreate.None;
            opts.Events.StreamIdentity = StreamIdentity.AsGuid;
            opts.Storage.Add(new LogSchema(opts));
        });
        var signer = new NoteSigner("ticketledger/bench", NoteSigner.NewPrivateKey());
        var office = new TicketLedger.Hosting.Office("yinhe", "yinhe", TimeZoneInfo.Utc);
        var offices = new TicketLedger.Hosting.Offices([office], office.Code, "district", TimeZoneInfo.Utc);
        var log = new TransparencyLog(store, new TicketLedger.Hosting.OfficeDatabases(store, offices), office.Database, signer);

        var clock = Stopwatch.StartNew();
        var appended = await log.AppendLeavesAsync();
        var took = clock.Elapsed;
        report.Figure($"leaf append, whole bulk load in batches of 5,000 ({appended:N0} leaves)",
            $"{took.TotalMicroseconds / appended:F1} µs/event ({appended / took.TotalSeconds:N0} events/s, {took.TotalSeconds:F1} s)");
        var size = (await log.TreeHeadAsync()).Size;
        report.Figure("log tables at scale", await db.ScalarAsync<string>(BenchDatabase.Log,
            "select pg_size_pretty(pg_total_relation_size('ticketledger.tl_log_leaf') + pg_total_relation_size('ticketledger.tl_log_node'))"));

        var random = new Random(17);
        report.Add("log", "inclusion proof at full size", 1, await TimeAsync(Proofs, () => log.InclusionProofAsync(random.NextInt64(size), size)));
        report.Add("log", "consistency proof to full size", 1, await TimeAsync(Proofs, () => log.ConsistencyProofAsync(1 + random.NextInt64(size - 1), size)));
        var body = new Checkpoint("ticketledger/bench", size, new byte[32]).Body;
        report.Add("log", "checkpoint signing (Ed25519)", 1, await TimeAsync(Signatures, () => Task.FromResult(signer.Sign(body))));

        var folder = Directory.CreateTempSubdirectory("ticketledger-bench-export-").FullName;
        try
        {
            var export = Path.Combine(folder, "export.jsonl");
            clock.Restart();
            await using (var file = new StreamWriter(export))
                await foreach (var line in log.ExportAsync(size))
                    await file.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(line, Documents.Json));
            report.Figure("export of the whole log (JSON lines)", $"{clock.Elapsed.TotalSeconds:F1} s, {new FileInfo(export).Length / 1e6:F0} MB");

            var tree = await log.TreeHeadAsync();
            var checkpoint = Path.Combine(folder, "checkpoint.txt");
            await File.WriteAllTextAsync(checkpoint, new SignedNote(tree.Body, [signer.Sign(tree.Body)]).Text);
            var output = new StringWriter();
            clock.Restart();
            var exit = TicketLedger.Verify.Cli.Run(["export", "--key", signer.Verifier.VerifierKey, checkpoint, export], output);
            report.Figure($"offline verifier: rebuild the tree from the export and check the signed root ({size:N0} leaves)",
                $"{clock.Elapsed.TotalSeconds:F1} s, exit {exit}", "exit 0", exit == 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Summary> TimeAsync<T>(int count, Func<Task<T>> action)
    {
        var latency = new Latency();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            latency.Record(Stopwatch.GetTimestamp() - started);
        }
        return Latency.Summarise([latency], 0, clock.Elapsed);
    }
}
