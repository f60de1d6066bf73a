using System.Diagnostics;
using System.Globalization;
using TicketLedger.Hosting;

namespace TicketLedger.Benchmarks;

/// <summary>The ceiling: the two-row transaction driven by pgbench itself, per-transaction latencies read from its logs.</summary>
public static class Pgbench
{
    /// <summary>With several commands per transaction, each command is counted with its transaction's latency.</summary>
    public static async Task<Summary> RunAsync(BenchDatabase db, int clients, BenchOptions options, int commandsPerTransaction = 1)
    {
        var bin = Find();
        var work = Directory.CreateTempSubdirectory("pgbench-");
        try
        {
            var script = Path.Combine(work.FullName, "command.sql");
            await File.WriteAllTextAsync(script, TwoRowTransaction.PgbenchScript(commandsPerTransaction));
            var threads = Math.Min(clients, 2);
            // Warm-up run first (not logged), like every other contender.
            await Exec(bin, db, $"-n -f {script} -c {clients} -j {threads} -T {(int)Math.Ceiling(options.Warmup.TotalSeconds)}", work.FullName);
            var output = await Exec(bin, db, $"-n -f {script} -c {clients} -j {threads} -T {(int)options.Measure.TotalSeconds} -l --log-prefix={work.FullName}/tx", work.FullName);

            var latencies = new Latency();
            foreach (var log in Directory.GetFiles(work.FullName, "tx*"))
            foreach (var line in File.ReadLines(log))
            {
                // client_id transaction_no time_us script_no epoch time_us
                var parts = line.Split(' ');
                if (parts.Length > 2 && long.TryParse(parts[2], out var micros))
                    for (var c = 0; c < commandsPerTransaction; c++) latencies.Record(micros * Stopwatch.Frequency / 1_000_000);
            }
            var failed = output.Split('\n').FirstOrDefault(l => l.StartsWith("number of failed transactions"));
            var errors = failed is null ? 0 : int.Parse(failed.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return Latency.Summarise([latencies], errors, options.Measure);
        }
        finally { work.Delete(recursive: true); }
    }

    /// <summary>pgbench ships with the client tools (Debian: postgresql-contrib), not always beside initdb on PATH.</summary>
    private static string Find()
    {
        var candidates = new[] { EmbeddedPostgres.FindBinaries() }
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : [])
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            .Where(d => !string.IsNullOrEmpty(d))
            .Select(d => Path.Combine(d!, "pgbench"));
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException("pgbench not found: apt-get install postgresql-contrib");
    }

    private static async Task<string> Exec(string bin, BenchDatabase db, string args, string workDir)
    {
        var info = new ProcessStartInfo(bin, $"-h 127.0.0.1 -p {db.Port} -U {db.User} {args} {BenchDatabase.Pgbench}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir,
        };
        info.Environment["PGPASSWORD"] = db.Password;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"pgbench failed ({process.ExitCode}): {output}");
        return output;
    }
}
