namespace TicketLedger.Benchmarks;

public static class Machine
{
    public static async Task DescribeAsync(Report report, BenchDatabase db, BenchOptions options)
    {
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':')[1].Trim() ?? "?";
        report.Machine($"nproc: {Environment.ProcessorCount} ({cpu})");
        report.Machine($"memory: {long.Parse(memory) / 1024:N0} MB");
        report.Machine($"PostgreSQL: {await db.VersionAsync()} (the product's embedded cluster settings: fsync on, synchronous_commit on, shared_buffers 128MB)");
        report.Machine($".NET: {Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.OSDescription})");
        var settings = Run.ServiceEnvironment("", "");
        report.Machine($"service environment: {settings["ASPNETCORE_ENVIRONMENT"]}; extra settings: " +
                       (settings.Keys.Where(k => !k.StartsWith("Auth__") && k is not "ConnectionStrings__Marten" and not "ASPNETCORE_ENVIRONMENT" and not Run.SigningKey)
                           .Select(k => $"{k}={settings[k]}").DefaultIfEmpty("none").Aggregate((a, b) => $"{a}, {b}")) +
                       (settings["ConnectionStrings__Marten"] is { Length: > 0 } extra ? $"; connection string extras: {extra.TrimStart(';')}" : ""));
        report.Machine($"scale: {options.ScaleEvents:N0} events requested");
        report.Machine($"load average at the start: {LoadAverage()} (other processes share this machine)");
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}

/// <summary>
/// How much of the machine other processes took during a window: all CPU time the kernel counted as busy
/// (/proc/stat), less this program's, the server's and the cluster's. The load average counts our own runnable
/// threads too; this is the share the benchmark did not get, in cores.
/// </summary>
public sealed class OtherCpu
{
    private readonly int[] _servers;
    private readonly int _postmaster;
    private readonly long _busy;
    private readonly long _ours;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private OtherCpu(int[] servers, int postmaster)
    {
        (_servers, _postmaster) = (servers, postmaster);
        (_busy, _ours) = (BusyTicks(), Ours());
    }

    public static OtherCpu Start(int server, int postmaster) => new([server], postmaster);

    /// <summary>With several service processes (the nodes stage): all of them are ours.</summary>
    public static OtherCpu Start(IEnumerable<int> servers, int postmaster) => new(servers.ToArray(), postmaster);

    /// <summary>Cores busy with other work on average since the start.</summary>
    public double Cores()
    {
        var others = BusyTicks() - _busy - (Ours() - _ours);
        return Math.Max(0, others * Profile.TickMs / _clock.Elapsed.TotalMilliseconds);
    }

    private long Ours() =>
        Profile.CpuTicks(Environment.ProcessId, children: false) + _servers.Sum(server => Profile.CpuTicks(server, children: false))
        + Profile.ClusterCpuTicks(_postmaster);

    /// <summary>user, nice, system, irq, softirq and steal of the first line of /proc/stat (idle and iowait left out).</summary>
    private static long BusyTicks()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
    }
}
