using System.Net.Http.Json;

namespace TicketLedger.Benchmarks;

/// <summary>Each client appends to its own 20 streams in turn, so clients never contend for a row (as in the service runs).</summary>
public sealed class RawRespondScript(int client) : IClientScript
{
    private readonly Guid[] _streams = Enumerable.Range(0, 20).Select(_ => Guid.CreateVersion7()).ToArray();
    private long _n = client;

    public Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct) =>
        Task.FromResult(new HttpRequestMessage(HttpMethod.Post, $"/raw/tickets/{_streams[_n++ % _streams.Length]}/respond")
        {
            Content = JsonContent.Create(new { message = "已协调物流公司，明日送达。" }),
        });

    public Task CompletedAsync(HttpResponseMessage response, CancellationToken ct) => Task.CompletedTask;
}

public sealed class VanillaRespondScript : IClientScript
{
    private readonly List<Guid> _streams = [];
    private long _n;

    public async Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct)
    {
        if (_streams.Count < 20)
        {
            using var created = await http.PostAsync("/vanilla/tickets", null, ct);
            created.EnsureSuccessStatusCode();
            _streams.Add((await created.Content.ReadFromJsonAsync<Created>(ct))!.Value);
        }
        return new HttpRequestMessage(HttpMethod.Post, $"/vanilla/tickets/{_streams[(int)(_n++ % _streams.Count)]}/respond")
        {
            Content = JsonContent.Create(new { message = "已协调物流公司，明日送达。" }),
        };
    }

    public Task CompletedAsync(HttpResponseMessage response, CancellationToken ct) => Task.CompletedTask;

    private sealed record Created(Guid Value);
}

/// <summary>Starts a new stream per request: the vanilla counterpart of raising a ticket.</summary>
public sealed class VanillaStartScript : IClientScript
{
    public Task<HttpRequestMessage> NextAsync(HttpClient http, CancellationToken ct) =>
        Task.FromResult(new HttpRequestMessage(HttpMethod.Post, "/vanilla/tickets"));

    public Task CompletedAsync(HttpResponseMessage response, CancellationToken ct) => Task.CompletedTask;
}
