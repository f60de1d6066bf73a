using System.Collections.Concurrent;
using System.Net.Http.Json;
using TicketLedger.Hosting;

namespace TicketLedger.Benchmarks;

/// <summary>
/// What the service's clients do, every feature on: API key, Idempotency-Key on each POST, validated bodies. In a
/// district a world is one office's: its subjects and open tickets, every request naming the office in X-Office.
/// </summary>
public sealed class TicketWorld(string? office = null)
{
    public string? Office => office;

    public List<Guid> Subjects { get; } = [];
    public ConcurrentQueue<Guid> OpenTickets { get; } = new();

    /// <summary>Tickets a lifecycle client had to raise itself (untimed, but its time is lost to the window's requests/s).</summary>
    public int RaisedInsideWindows;

    /// <summary>Raises tickets (8 at a time, untimed) until the pool holds at least this many.</summary>
    public async Task FillPoolAsync(HttpClient http, int size)
    {
        var n = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(0, size - OpenTickets.Count)), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (_, ct) =>
            {
                using var raised = await http.SendAsync(Raise(Interlocked.Increment(ref n)), ct);
                if (raised.IsSuccessStatusCode) OpenTickets.Enqueue((await raised.Content.ReadFromJsonAsync<Created>(ct))!.Id);
            });
    }

    public async Task RegisterSubjectsAsync(HttpClient http, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await http.SendAsync(Post("/api/subjects", new
            {
                kind = "site", name = $"基准工地 {i:D3}", address = "银河路 1 号", contact = new { name = "王工", phone = "13800000000" },
            }));
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"registering a subject: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Subjects.Add((await response.Content.ReadFromJsonAsync<Created>())!.Id);
        }
    }

    public HttpRequestMessage Raise(int n) => Post("/api/tickets", new
    {
        subjectId = Subjects[n % Subjects.Count], category = "logistics", title = "原材料运输受阻",
        description = "外省原材料车辆无法进入园区，需协调通行证。", source = "visit",
    });

    public HttpRequestMessage Post(string url, object body, bool idempotent = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (idempotent) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        if (office is not null) request.Headers.Add(CurrentOffice.Header, office);
        return request;
    }

    public sealed record Created(Guid Id);
}

public sealed class RaiseScript(TicketWorld world, int client) : IClientScript
{
    private int _n = client;

    public Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct) => Task.FromResult(world.Raise(_n++));

    public async Task CompletedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) world.OpenTickets.Enqueue((await response.Content.ReadFromJsonAsync<TicketWorld.Created>(ct))!.Id);
    }
}

/// <summary>
/// Walks one ticket at a time through assign → respond → resolve; a fresh one comes from the raised pool.
/// Without idempotency keys it is a diagnostic run: what the keys cost.
/// </summary>
public sealed class LifecycleScript(TicketWorld world, int client, bool idempotent = true) : IClientScript
{
    private Guid? _ticket;
    private int _step;
    private int _n = client;

    public async Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct)
    {
        if (_ticket is null)
        {
            if (!world.OpenTickets.TryDequeue(out var id))
            {
                Interlocked.Increment(ref world.RaisedInsideWindows);
                using var raised = await http.SendAsync(world.Raise(_n++), ct);
                raised.EnsureSuccessStatusCode();
                id = (await raised.Content.ReadFromJsonAsync<TicketWorld.Created>(ct))!.Id;
            }
            (_ticket, _step) = (id, 0);
        }
        return _step switch
        {
            0 => world.Post($"/api/tickets/{_ticket}/assign", new { department = "jfb" }, idempotent),
            1 => world.Post($"/api/tickets/{_ticket}/respond", new { message = "已联系交通部门办理通行证，明日可进园。" }, idempotent),
            _ => world.Post($"/api/tickets/{_ticket}/resolve", new { resolution = "通行证已办结，车辆已进园。" }, idempotent),
        };
    }

    public Task CompletedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        _step++;
        if (!response.IsSuccessStatusCode || _step == 3) _ticket = null;
        return Task.CompletedTask;
    }
}
