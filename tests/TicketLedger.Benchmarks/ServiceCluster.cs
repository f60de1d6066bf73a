using System.Net.Http.Json;
using System.Text.Json;

namespace TicketLedger.Benchmarks;

/// <summary>
/// Several service processes on one database, as a deployment behind a load balancer runs them (docs/nodes.md):
/// started together, each known by the id Wolverine gave it, the cluster read through GET /api/admin/nodes.
/// </summary>
public sealed class ServiceCluster(BenchOptions options, Dictionary<string, string> environment, string key, string logs, string label) : IAsyncDisposable
{
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(180);

    private readonly List<(ServerProcess Process, Guid Id)> _nodes = [];
    private int _started;

    public IReadOnlyList<ServerProcess> Live => _nodes.Where(n => !n.Process.HasExited).Select(n => n.Process).ToList();

    public static async Task<ServiceCluster> StartAsync(
        BenchOptions options, Dictionary<string, string> environment, string key, string logs, string label, int count)
    {
        var cluster = new ServiceCluster(options, environment, key, logs, label);
        await cluster.AddAsync(count);
        return cluster;
    }

    /// <summary>Starts more nodes at once and waits until every live node is listed in the node table.</summary>
    public async Task AddAsync(int count = 1)
    {
        var started = Enumerable.Range(0, count).Select(_ => ServerProcess.Start(options.ServiceDll, [], environment,
            Path.Combine(logs, $"service-{label}-{Interlocked.Increment(ref _started)}.log"))).ToList();
        foreach (var process in started)
        {
            await process.WaitUntilServingAsync(ServiceRuns.ReadyPath, key, StartLimit);
            _nodes.Add((process, (await NodesAsync(process)).GetProperty("self").GetProperty("id").GetGuid()));
        }
        await FormedAsync();
    }

    /// <summary>Every live node lists exactly the live nodes, and one of them holds the ledger projection.</summary>
    public async Task FormedAsync()
    {
        var live = _nodes.Where(n => !n.Process.HasExited).Select(n => n.Id).Order().ToList();
        var until = DateTime.UtcNow + StartLimit;
        foreach (var node in Live)
        {
            while (true)
            {
                var nodes = await NodesAsync(node);
                var listed = nodes.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetGuid()).Order().ToList();
                if (listed.SequenceEqual(live) && LedgerHolderIn(nodes) is not null) break;
                if (DateTime.UtcNow > until) throw new TimeoutException($"the {label} cluster did not form: {nodes}");
                await Task.Delay(250);
            }
        }
    }

    public async Task<JsonElement> NodesAsync(ServerProcess via)
    {
        using var http = LoadGenerator.Client(via.BaseUrl, key);
        return await http.GetFromJsonAsync<JsonElement>("/api/admin/nodes");
    }

    /// <summary>The live process the node table names as running the ledger projection's agent, as <paramref name="via"/> sees it.</summary>
    public async Task<ServerProcess?> LedgerHolderAsync(ServerProcess via)
    {
        var nodes = await NodesAsync(via);
        return LedgerHolderIn(nodes) is { } id ? _nodes.SingleOrDefault(n => n.Id == id).Process : null;
    }

    public async Task<bool> IsLeaderAsync(ServerProcess node) =>
        (await NodesAsync(Live.First(n => n != node))).GetProperty("nodes").EnumerateArray()
        .Any(n => n.GetProperty("id").GetGuid() == IdOf(node) && n.GetProperty("leader").GetBoolean());

    public async Task<bool> ListsAsync(ServerProcess via, ServerProcess node) =>
        (await NodesAsync(via)).GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("id").GetGuid() == IdOf(node));

    private Guid IdOf(ServerProcess node) => _nodes.Single(n => n.Process == node).Id;

    private static Guid? LedgerHolderIn(JsonElement nodes) =>
        nodes.GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("agents").EnumerateArray().Any(a => a.GetString() is { } uri
                && uri.StartsWith("event-subscriptions://", StringComparison.Ordinal) && uri.Contains("/ledger/")))
            .Select(n => (Guid?)n.GetProperty("id").GetGuid()).FirstOrDefault();

    public int[] Pids => Live.Select(n => n.Pid).ToArray();

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.Process.DisposeAsync().AsTask()));
    }
}
