using System.Net;
using System.Net.Http.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Hosting;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Tickets;

public sealed class retrying_with_an_idempotency_key(ApiFixture fixture) : ApiTest(fixture)
{
    private static string NewKey() => Guid.NewGuid().ToString("N");

    private Task<IScenarioResult> Raise(object body, string key, int status, string apiKey = Keys.Staff) => Host.Scenario(x =>
    {
        x.Post.Json(body).ToUrl("/api/tickets");
        x.WithKey(apiKey);
        x.WithRequestHeader(Idempotency.Header, key);
        x.StatusCodeShouldBe(status);
    });

    private async Task<int> TicketCount()
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession("yinhe");
        return await session.Query<Ticket>().CountAsync();
    }

    [Fact]
    public async Task a_replayed_raise_returns_the_first_outcome_and_raises_nothing()
    {
        var body = TicketScenarios.RaiseBody(await Host.GivenSubject());
        var key = NewKey();
        var first = await Raise(body, key, 201);
        var second = await Raise(body, key, 201);

        Assert.Equal(first.ReadAsText(), second.ReadAsText());
        Assert.Equal(first.Context.Response.Headers.Location.ToString(), second.Context.Response.Headers.Location.ToString());
        Assert.Equal("true", second.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
        Assert.Equal(1, await TicketCount());
    }

    [Fact]
    public async Task a_replayed_raise_takes_no_number()
    {
        var body = TicketScenarios.RaiseBody(await Host.GivenSubject());
        var key = NewKey();
        var first = (await Raise(body, key, 201)).ReadAsJson<TicketNumberOnly>()!.Number;
        await Raise(body, key, 201);
        var next = (await Raise(body, NewKey(), 201)).ReadAsJson<TicketNumberOnly>()!.Number;

        // Whether a repeat is answered before it runs or rolls back on the key, it gives no number away.
        Assert.Equal(int.Parse(first[^4..]) + 1, int.Parse(next[^4..]));
    }

    private sealed record TicketNumberOnly(string Number);

    [Fact]
    public async Task a_repeat_its_first_run_now_refuses_replays_the_first_outcome()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        var key = NewKey();
        Task<IScenarioResult> Resolve() => Host.Scenario(x =>
        {
            x.Post.Json(new { resolution = "已解决" }).ToUrl($"/api/tickets/{id}/resolve");
            x.WithKey(Keys.Staff);
            x.WithRequestHeader(Idempotency.Header, key);
            x.StatusCodeShouldBe(204);
        });
        await Resolve();
        var repeat = await Resolve();

        // Resolving a resolved ticket is a 409 of its own; the repeat is answered as the first run was.
        Assert.Equal("true", repeat.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
        Assert.Equal(3, (await Host.GetTicket(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task the_same_key_with_a_different_body_is_422()
    {
        var subject = await Host.GivenSubject();
        var key = NewKey();
        await Raise(TicketScenarios.RaiseBody(subject), key, 201);
        var result = await Raise(TicketScenarios.RaiseBody(subject, category: "labour"), key, 422);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Equal(1, await TicketCount());
    }

    [Fact]
    public async Task the_same_key_with_a_different_body_that_is_itself_invalid_is_still_422()
    {
        var subject = await Host.GivenSubject();
        var key = NewKey();
        await Raise(TicketScenarios.RaiseBody(subject), key, 201);
        var result = await Raise(TicketScenarios.RaiseBody(subject, category: "no-such-category"), key, 422);
        Assert.Contains("different request", result.ReadAsText());
        Assert.False(string.IsNullOrEmpty(result.Context.Response.Headers[Correlation.Header]));
    }

    [Fact]
    public async Task keys_belong_to_their_caller()
    {
        var body = TicketScenarios.RaiseBody(await Host.GivenSubject());
        var key = NewKey();
        await Raise(body, key, 201);
        await Raise(body, key, 201, Keys.Admin);
        Assert.Equal(2, await TicketCount());
    }

    [Fact]
    public async Task concurrent_duplicates_run_once()
    {
        var body = TicketScenarios.RaiseBody(await Host.GivenSubject());
        var key = NewKey();
        var client = Host.Server.CreateClient();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(body) };
            request.Headers.Add("Authorization", "Bearer " + Keys.Staff);
            request.Headers.Add(Idempotency.Header, key);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Equal(1, await TicketCount());
    }

    [Fact]
    public async Task a_replayed_lifecycle_command_appends_nothing()
    {
        var (id, _) = await Host.GivenTicket();
        var key = NewKey();
        for (var i = 0; i < 2; i++)
            await Host.Scenario(x =>
            {
                x.Post.Json(new { message = "收到" }).ToUrl($"/api/tickets/{id}/respond");
                x.WithKey(Keys.Staff);
                x.WithRequestHeader(Idempotency.Header, key);
                x.StatusCodeShouldBe(204);
            });
        Assert.Equal(2, (await Host.GetTicket(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_refused_request_gives_its_key_back()
    {
        var (id, _) = await Host.GivenTicket();
        var key = NewKey();
        Task<IScenarioResult> Resolve(int status) => Host.Scenario(x =>
        {
            x.Post.Json(new { resolution = "已解决" }).ToUrl($"/api/tickets/{id}/resolve");
            x.WithKey(Keys.Staff);
            x.WithRequestHeader(Idempotency.Header, key);
            x.StatusCodeShouldBe(status);
        });
        await Resolve(409);
        await Host.Assign(id);
        await Resolve(204);
    }

    [Fact]
    public async Task expired_keys_are_purged()
    {
        var body = TicketScenarios.RaiseBody(await Host.GivenSubject());
        var key = NewKey();
        await Raise(body, key, 201);
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession("yinhe"))
        {
            session.QueueSqlCommand($"update {store.Options.DatabaseSchemaName}.{Idempotency.TableName} set created_at = created_at - interval '25 hours' where key = ?", key);
            await session.SaveChangesAsync();
        }
        Assert.True(await Host.Services.GetRequiredService<IdempotencyStore>().PurgeExpiredAsync(CancellationToken.None) >= 1);
        await Raise(body, key, 201);
        Assert.Equal(2, await TicketCount());
    }

    [Fact]
    public async Task an_overlong_key_is_400()
    {
        var body = TicketScenarios.RaiseBody(await Host.GivenSubject());
        await Raise(body, new string('k', Idempotency.MaxKeyLength + 1), 400);
        Assert.Equal(0, await TicketCount());
    }

    [Fact]
    public async Task registering_a_subject_is_idempotent_too()
    {
        var body = SubjectScenarios.Enterprise();
        var key = NewKey();
        var results = new List<IScenarioResult>();
        for (var i = 0; i < 2; i++)
            results.Add(await Host.Scenario(x =>
            {
                x.Post.Json(body).ToUrl("/api/subjects");
                x.WithKey(Keys.Staff);
                x.WithRequestHeader(Idempotency.Header, key);
                x.StatusCodeShouldBe(201);
            }));
        Assert.Equal(results[0].ReadAsText(), results[1].ReadAsText());
        Assert.Equal("true", results[1].Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
    }
}
