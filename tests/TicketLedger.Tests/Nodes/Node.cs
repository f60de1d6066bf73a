using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketLedger.Tests.Nodes;

/// <summary>One service process of the cluster and an HTTP client for it; the key is chosen per request.</summary>
public sealed class Node : IDisposable
{
    private readonly ServiceProcess _process;
    private readonly HttpClient _http;

    private Node(string name, ServiceProcess process, HttpClient http) => (Name, _process, _http) = (name, process, http);

    public string Name { get; }
    public bool Killed { get; private set; }

    /// <summary>Wolverine's id of this node, as it names itself in GET /api/admin/nodes.</summary>
    public Guid Id { get; private set; }

    public static async Task<Node> StartAsync(string name, string connectionString, TimeSpan timeout)
    {
        var process = ServiceProcess.Start(connectionString);
        try
        {
            var http = await process.ReadyAsync(timeout);
            http.DefaultRequestHeaders.Remove("X-Api-Key");
            return new Node(name, process, http);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public async Task<Answer> PostAsync(string path, object body, string? idempotencyKey, string key = Keys.Staff)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(Name, response.StatusCode, text, response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Contains("true"));
    }

    public async Task<JsonElement> GetAsync(string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path} on {Name}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>GET /api/admin/nodes as this node answers it.</summary>
    public Task<JsonElement> NodesAsync() => GetAsync("/api/admin/nodes", Keys.Admin);

    /// <summary>Waits until this node sees the cluster as <paramref name="formed"/> says; remembers its own id.</summary>
    public async Task<JsonElement> AwaitClusterAsync(Func<JsonElement, bool> formed, TimeSpan timeout)
    {
        var nodes = await Eventually.Until(NodesAsync, formed, timeout, $"{Name} to see the cluster formed");
        Id = nodes.GetProperty("self").GetProperty("id").GetGuid();
        return nodes;
    }

    /// <summary>
    /// What this process logged about trouble and about its agents, shards and projections, for a failed test's output.
    /// </summary>
    public string Troubles() => string.Join('\n', _process.Output.Split('\n')
        .Where(line => TroubleMarks.Any(mark => line.Contains(mark, StringComparison.OrdinalIgnoreCase)))
        .TakeLast(200));

    private static readonly string[] TroubleMarks = ["warn:", "fail:", "crit:", "exception", "agent", "shard", "projection"];

    public void Kill()
    {
        Killed = true;
        _process.Kill();
    }

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
    }
}

/// <summary>What a node answered to a command: the status, the body, and whether it was a replay of an earlier outcome.</summary>
public sealed record Answer(string Node, HttpStatusCode Status, string Body, bool Replayed)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
}
