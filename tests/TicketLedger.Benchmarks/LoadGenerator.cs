using System.Diagnostics;

namespace TicketLedger.Benchmarks;

/// <summary>One simulated client: prepares its next request (untimed set-up allowed), then hears how it went.</summary>
public interface IClientScript
{
    Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct);
    Task CompletedAsync(HttpResponseMessage response, CancellationToken ct);
}

/// <summary>
/// Closed-loop load: N clients, each with one request in flight, for a warm-up (discarded) and then a measured window.
/// Only the send-to-response-headers-and-body time of each request is recorded.
/// </summary>
public static class LoadGenerator
{
    public static HttpClient Client(string baseUrl, string? apiKey = null, int connections = 64)
    {
        var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    }

    public static async Task<Summary> RunAsync(
        HttpClient http, int clients, Func<int, IClientScript> script, TimeSpan warmup, TimeSpan measure, Action? sample = null,
        Action? measuring = null)
    {
        var scripts = Enumerable.Range(0, clients).Select(script).ToArray();
        await Window(http, scripts, warmup, record: false, sample: null);
        measuring?.Invoke();
        var (recorders, errors) = await Window(http, scripts, measure, record: true, sample);
        return Latency.Summarise(recorders, errors, measure);
    }

    /// <summary>
    /// Load that is not measured: long enough for the runtime to finish compiling the hot paths at its optimising tier, so
    /// the windows after it measure the code a service runs in steady state rather than the order its tiering happened in.
    /// </summary>
    public static Task SettleAsync(HttpClient http, int clients, Func<int, IClientScript> script, TimeSpan length) =>
        Window(http, Enumerable.Range(0, clients).Select(script).ToArray(), length, record: false, sample: null);

    /// <summary>
    /// <paramref name="commands"/> requests one after another, the c-th from <paramref name="scriptFor"/>(c), untimed: the
    /// per-command profile counts what they cost, not how long they took. Returns how many were sent.
    /// </summary>
    public static async Task<int> SequentialAsync(HttpClient http, int commands, Func<int, IClientScript> scriptFor)
    {
        for (var c = 0; c < commands; c++)
        {
            var script = scriptFor(c);
            using var request = await script.NextAsync(http, CancellationToken.None);
            using var response = await http.SendAsync(request);
            await script.CompletedAsync(response, CancellationToken.None);
        }
        return commands;
    }

    private static async Task<(Latency[] Recorders, int Errors)> Window(
        HttpClient http, IClientScript[] scripts, TimeSpan length, bool record, Action? sample)
    {
        using var stop = new CancellationTokenSource(length);
        var recorders = scripts.Select(_ => new Latency()).ToArray();
        var errors = 0;
        using var sampler = sample is null ? null : new Timer(_ => sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));

        await Task.WhenAll(scripts.Select((client, i) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = await client.NextAsync(http, CancellationToken.None);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                    var elapsed = Stopwatch.GetTimestamp() - started;
                    if (record) recorders[i].Record(elapsed);
                    if (!response.IsSuccessStatusCode && record)
                    {
                        if (Interlocked.Increment(ref errors) <= 3)
                            Console.WriteLine($"    error {(int)response.StatusCode} {request.Method} {request.RequestUri}: {Trim(await response.Content.ReadAsStringAsync())}");
                    }
                    await client.CompletedAsync(response, CancellationToken.None);
                }
                catch (HttpRequestException e)
                {
                    if (record && Interlocked.Increment(ref errors) <= 3) Console.WriteLine($"    error {e.Message}");
                }
                catch (TaskCanceledException e)
                {
                    if (record && Interlocked.Increment(ref errors) <= 3) Console.WriteLine($"    timeout {e.Message}");
                }
            }
        })));
        return (recorders, errors);
    }

    private static string Trim(string s) => s.Length > 300 ? s[..300] : s;
}

/// <summary>The same request every time: reads; in a district, in the office named.</summary>
public sealed class FixedGet(string url, string? office = null) : IClientScript
{
    public Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (office is not null) request.Headers.Add(TicketLedger.Hosting.CurrentOffice.Header, office);
        return Task.FromResult(request);
    }

    public Task CompletedAsync(HttpResponseMessage response, CancellationToken ct) => Task.CompletedTask;
}
