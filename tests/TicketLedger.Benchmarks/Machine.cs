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
