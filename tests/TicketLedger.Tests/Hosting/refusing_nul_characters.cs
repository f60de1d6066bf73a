using Alba;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Hosting;

/// <summary>PostgreSQL text cannot hold U+0000: a NUL in the query is the client's 400, never a database error.
/// A NUL in the path is Kestrel's own 400 (the_service_as_a_process).</summary>
public sealed class refusing_nul_characters(ApiFixture fixture) : ApiTest(fixture)
{
    [Theory]
    [InlineData("/api/tickets?category=supplies%00")]
    [InlineData("/api/tickets?department=xmb%00")]
    [InlineData("/api/tickets?status=open&q%00=1")]
    [InlineData("/api/subjects?creditCode=91330106%00")]
    [InlineData("/api/ledger?asOf=2020-03-15%00")]
    public async Task a_nul_in_a_query_key_or_value_is_a_400_problem(string url)
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url(url);
            x.WithKey(Keys.Admin);
            x.StatusCodeShouldBe(400);
            x.ContentTypeShouldBe("application/problem+json");
        });
        Assert.Contains("NUL", result.ReadAsText());
    }
}
