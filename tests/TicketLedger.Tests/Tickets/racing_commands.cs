using System.Net.Http.Json;
using System.Net;

namespace TicketLedger.Tests.Tickets;

public sealed class racing_commands(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_stale_if_match_is_412_and_appends_nothing()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id, "xmb");
        var result = await Host.Command(id, "respond", new { message = "收到" }, status: 412, ifMatch: "\"1\"");
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Equal(2, (await Host.GetTicket(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_current_if_match_lets_the_command_through()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Command(id, "assign", new { department = "xmb" }, ifMatch: "\"1\"");
        await Host.Command(id, "respond", new { message = "收到" }, ifMatch: "*");
    }

    [Fact]
    public async Task a_malformed_if_match_is_400()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Command(id, "assign", new { department = "xmb" }, status: 400, ifMatch: "version one");
    }

    [Fact]
    public async Task twenty_parallel_assigns_with_one_if_match_let_exactly_one_through()
    {
        var (id, _) = await Host.GivenTicket();
        var departments = new[] { "xmb", "hbb", "djb", "jfb" };
        var client = Host.Server.CreateClient();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{id}/assign")
            {
                Content = JsonContent.Create(new { department = departments[i % 4] }),
            };
            request.Headers.Add("Authorization", "Bearer " + Keys.Staff);
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.Single(statuses, s => (int)s is >= 200 and < 300);
        Assert.All(statuses.Where(s => s != HttpStatusCode.NoContent), s => Assert.Contains(s, new[] { HttpStatusCode.PreconditionFailed, HttpStatusCode.Conflict }));
        Assert.Equal(2, (await Host.GetTicket(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task racing_resolves_without_if_match_never_both_succeed()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        var client = Host.Server.CreateClient();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{id}/resolve") { Content = JsonContent.Create(new { resolution = $"方案{i}" }) };
            request.Headers.Add("Authorization", "Bearer " + Keys.Staff);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.Single(statuses, s => s == HttpStatusCode.NoContent);
        Assert.All(statuses.Where(s => s != HttpStatusCode.NoContent), s => Assert.Equal(HttpStatusCode.Conflict, s));
        Assert.Equal(3, (await Host.GetTicket(id)).GetProperty("version").GetInt64());
    }
}
