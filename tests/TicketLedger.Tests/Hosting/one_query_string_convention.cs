using Alba;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Hosting;

/// <summary>The same query value gets the same answer on every GET (Hosting/QueryValues).</summary>
public sealed class one_query_string_convention(ApiFixture fixture) : ApiTest(fixture)
{
    private static readonly string[] Lists = ["/api/tickets", "/api/subjects", "/api/admin/dead-letters"];

    private Task<IScenarioResult> Get(string url, int status) => Host.Scenario(x =>
    {
        x.Get.Url(url);
        x.WithKey(Keys.Admin);
        x.StatusCodeShouldBe(status);
    });

    [Theory]
    [InlineData("pageSize=500", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=abc", "page")]
    [InlineData("page=0", "page")]
    public async Task every_list_refuses_the_same_bad_paging_naming_the_parameter(string query, string field)
    {
        foreach (var list in Lists)
        {
            var result = await Get($"{list}?{query}", 400);
            Assert.True(result.Json().GetProperty("errors").TryGetProperty(field, out _), $"{list}?{query}");
        }
    }

    [Fact]
    public async Task every_list_takes_the_same_good_paging()
    {
        foreach (var list in Lists)
        {
            var page = (await Get($"{list}?page=2&pageSize=200", 200)).Json();
            Assert.Equal((2, 200), (page.GetProperty("page").GetInt32(), page.GetProperty("pageSize").GetInt32()));
        }
    }

    [Fact]
    public async Task a_timestamp_whose_plus_arrived_as_a_space_is_read_alike_on_tickets_and_the_ledger()
    {
        var (id, _) = await Host.GivenTicket(occurredAt: DateTimeOffset.UtcNow.AddDays(-1));
        var knownAt = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(5).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:ss")) + "%2008:00";
        foreach (var url in new[] { $"/api/tickets/{id}?knownAt={knownAt}", $"/api/ledger?knownAt={knownAt}", $"/api/ledger/report?knownAt={knownAt}" })
            await Get(url, 200);
    }

    [Fact]
    public async Task a_malformed_timestamp_or_date_is_400_on_every_route_that_takes_one()
    {
        var (id, _) = await Host.GivenTicket();
        foreach (var url in new[] { $"/api/tickets/{id}?knownAt=yesterday", "/api/ledger?knownAt=yesterday", "/api/ledger/report?knownAt=yesterday",
                     $"/api/tickets/{id}?asOf=2020-13-01", "/api/ledger?asOf=2020-13-01", "/api/ledger/report?asOf=2020-02-30" })
            await Get(url, 400);
    }

    [Fact]
    public async Task an_unknown_enum_value_is_400_listing_the_allowed_ones()
    {
        var tickets = (await Get("/api/tickets?status=lost", 400)).Json().GetProperty("errors").GetProperty("status")[0].GetString();
        var subjects = (await Get("/api/subjects?kind=shop", 400)).Json().GetProperty("errors").GetProperty("kind")[0].GetString();
        Assert.Contains("open", tickets);
        Assert.Contains("enterprise", subjects);
    }
}
