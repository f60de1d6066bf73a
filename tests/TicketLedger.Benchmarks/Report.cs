using System.Globalization;
using System.Text;

namespace TicketLedger.Benchmarks;

/// <summary>Collects the figures as they come and writes them, with the targets they are judged by, as one Markdown file.</summary>
public sealed class Report(BenchOptions options)
{
    private readonly StringBuilder _machine = new();
    private readonly List<(string Group, string Name, int Clients, Summary Result)> _rows = [];
    private readonly List<(string Name, string Value, string Target, bool? Met)> _figures = [];
    private readonly StringBuilder _notes = new();

    public void Machine(string line) => _machine.AppendLine($"- {line}");

    public Summary Add(string group, string name, int clients, Summary result)
    {
        _rows.Add((group, name, clients, result));
        Console.WriteLine($"  {name,-38} {clients,2} clients  {result}");
        return result;
    }

    public void Figure(string name, string value, string target = "", bool? met = null)
    {
        _figures.Add((name, value, target, met));
        Console.WriteLine($"  {name}: {value} {(met is null ? "" : met.Value ? "(target met)" : $"(target {target} MISSED)")}");
    }

    public void Note(string text)
    {
        _notes.AppendLine(text).AppendLine();
        Console.WriteLine(text);
    }

    public Summary? Find(string name, int clients) => _rows.LastOrDefault(r => r.Name == name && r.Clients == clients).Result;

    public string Write()
    {
        Directory.CreateDirectory(options.ResultsDirectory);
        var stamp = DateTime.UtcNow;
        var suffix = (options.Quick ? "-quick" : "") + (options.Name is { Length: > 0 } label ? $"-{label}" : "");
        var path = Path.Combine(options.ResultsDirectory, $"{stamp:yyyy-MM-dd}{suffix}.md");
        var md = new StringBuilder();
        md.AppendLine($"# TicketLedger benchmark, {stamp:yyyy-MM-dd HH:mm} UTC{(options.Quick ? " (quick mode)" : "")}").AppendLine();
        md.AppendLine("## Machine").AppendLine().Append(_machine).AppendLine();
        md.AppendLine($"Each level: {options.Warmup.TotalSeconds:F0} s warm-up (discarded), then {options.Measure.TotalSeconds:F0} s measured; closed loop, one request in flight per client; latencies exact (every request kept).").AppendLine();
        md.AppendLine("## Throughput and latency").AppendLine();
        md.AppendLine("| what | clients | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (_, name, clients, r) in _rows)
            md.AppendLine(Invariant($"| {name} | {clients} | {r.PerSecond:F0} | {r.P50Ms:F2} | {r.P95Ms:F2} | {r.P99Ms:F2} | {r.MaxMs:F1} | {r.Errors} |"));
        md.AppendLine().AppendLine("## Targets and figures").AppendLine();
        md.AppendLine("| figure | measured | target | |").AppendLine("|---|---|---|---|");
        foreach (var (name, value, target, met) in _figures)
            md.AppendLine($"| {name} | {value} | {target} | {(met is null ? "" : met.Value ? "met" : "**missed**")} |");
        if (_notes.Length > 0) md.AppendLine().AppendLine("## Notes and evidence").AppendLine().Append(_notes);
        File.WriteAllText(path, md.ToString());
        return path;
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
