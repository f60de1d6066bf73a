using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace TicketLedger.Benchmarks;

/// <summary>
/// `dashboard --url <service> --key <reader key> [--loads 20] [--out <dir>]`: opens /dashboard in Debian's Chromium
/// that many times, each in a fresh browser context (empty cache: every load is a first load), signed in through the
/// tab's sessionStorage as the page itself keeps the key. Time to first render is the page's own `ledger-rendered`
/// mark (navigation start to figures, report, charts and lists on screen); bytes are the transfer sizes the browser
/// reports for the page, its scripts and the API reads made up to that mark.
/// </summary>
public static class DashboardLoads
{
    private sealed record Load(double RenderMs, long Bytes, long AssetBytes, long ApiBytes, int Requests);

    public static async Task<int> Run(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var url = Value("--url") ?? "http://127.0.0.1:5080";
        var key = Value("--key") ?? "local-auditor-key";
        var count = int.Parse(Value("--loads") ?? "20", CultureInfo.InvariantCulture);
        var output = Value("--out") ?? Path.Combine(AppContext.BaseDirectory, "results");
        var chromium = Environment.GetEnvironmentVariable("TICKETLEDGER_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
        var ledger = await LedgerSize(url, key);
        var loadAverageBefore = Machine.LoadAverage();

        await MeasureOnce(browser, url, key); // the service's first reads of each route, not counted
        var loads = new List<Load>();
        for (var i = 0; i < count; i++) loads.Add(await MeasureOnce(browser, url, key));

        var report = Write(loads, url, ledger, loadAverageBefore, Machine.LoadAverage());
        Directory.CreateDirectory(output);
        var file = Path.Combine(output, $"{DateTime.UtcNow:yyyy-MM-dd}-dashboard.md");
        await File.WriteAllTextAsync(file, report);
        Console.WriteLine(report);
        Console.WriteLine($"written to {file}");
        return 0;
    }

    private static async Task<Load> MeasureOnce(IBrowser browser, string url, string key)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = url, BypassCSP = true }); // for the probes below
        await context.AddInitScriptAsync($"sessionStorage.setItem('ticketledger.apiKey', {JsonSerializer.Serialize(key)});");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/dashboard");
        await page.WaitForFunctionAsync("performance.getEntriesByName('ledger-rendered').length > 0", null, new() { Timeout = 120_000 });
        var figures = await page.EvaluateAsync<JsonElement>("""
            () => {
              const rendered = performance.getEntriesByName('ledger-rendered')[0].startTime;
              const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
                .filter(e => e.startTime <= rendered);
              const sum = list => list.reduce((total, e) => total + e.transferSize, 0);
              const api = entries.filter(e => new URL(e.name).pathname.startsWith('/api/'));
              return { rendered, bytes: sum(entries), api: sum(api), assets: sum(entries) - sum(api), requests: entries.length };
            }
            """);
        return new Load(figures.GetProperty("rendered").GetDouble(), figures.GetProperty("bytes").GetInt64(),
            figures.GetProperty("assets").GetInt64(), figures.GetProperty("api").GetInt64(), figures.GetProperty("requests").GetInt32());
    }

    private static async Task<string> LedgerSize(string url, string key)
    {
        using var api = new HttpClient { BaseAddress = new Uri(url) };
        api.DefaultRequestHeaders.Add("X-Api-Key", key);
        var ledger = JsonDocument.Parse(await api.GetStringAsync("/api/ledger")).RootElement;
        return $"{ledger.GetProperty("tickets").GetProperty("raised")} tickets, ledger sequence {ledger.GetProperty("provenance").GetProperty("lastSequence")}";
    }

    private static string Write(List<Load> loads, string url, string ledger, string loadBefore, string loadAfter)
    {
        static double Percentile(IEnumerable<double> values, double p)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
        static string Ms(double value) => value.ToString("0", CultureInfo.InvariantCulture);
        static string Kb(double bytes) => (bytes / 1024).ToString("0.0", CultureInfo.InvariantCulture);

        var render = loads.Select(l => l.RenderMs).ToArray();
        var text = new StringBuilder();
        text.AppendLine($"# Dashboard first loads, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC").AppendLine();
        text.AppendLine($"{loads.Count} loads of {url}/dashboard in headless Chromium, each in a fresh context (empty cache), after one unmeasured load.");
        text.AppendLine($"Ledger: {ledger}. Load average before/after: {loadBefore} / {loadAfter}. {Environment.ProcessorCount} cores.").AppendLine();
        text.AppendLine("| measure | p50 | p90 | min | max |").AppendLine("|---|---|---|---|---|");
        text.AppendLine($"| time to first render (ms) | {Ms(Percentile(render, 0.5))} | {Ms(Percentile(render, 0.9))} | {Ms(render.Min())} | {Ms(render.Max())} |");
        foreach (var (name, pick) in new (string, Func<Load, double>)[]
                 { ("bytes transferred, all (KiB)", l => l.Bytes), ("of which page and scripts (KiB)", l => l.AssetBytes), ("of which API reads (KiB)", l => l.ApiBytes) })
        {
            var values = loads.Select(pick).ToArray();
            text.AppendLine($"| {name} | {Kb(Percentile(values, 0.5))} | {Kb(Percentile(values, 0.9))} | {Kb(values.Min())} | {Kb(values.Max())} |");
        }
        text.AppendLine($"| requests up to the first render | {Percentile(loads.Select(l => (double)l.Requests), 0.5)} | | | |");
        return text.ToString();
    }
}
