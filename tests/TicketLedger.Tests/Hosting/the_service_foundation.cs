using System.Text.Json;
using Alba;

namespace TicketLedger.Tests.Hosting;

public sealed class the_service_foundation(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task liveness_needs_no_key()
    {
        await Host.Scenario(x => { x.Get.Url("/health/live"); x.StatusCodeShouldBeOk(); });
    }

    [Fact]
    public async Task readiness_reports_the_database_and_schema_ready()
    {
        await Host.Scenario(x => { x.Get.Url("/health/ready"); x.StatusCodeShouldBeOk(); });
    }

    [Fact]
    public async Task the_openapi_document_is_anonymous_json()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/openapi/v1.json"); x.StatusCodeShouldBeOk(); });
        using var document = JsonDocument.Parse(result.ReadAsText());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task a_call_without_a_key_is_401_problem()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/reference"); x.StatusCodeShouldBe(401); x.ContentTypeShouldBe("application/problem+json"); });
        Assert.Equal("Bearer", result.Context.Response.Headers.WWWAuthenticate.ToString());
    }

    [Theory]
    [InlineData("Authorization", "Bearer not-a-key")]
    [InlineData("X-Api-Key", "not-a-key")]
    public async Task an_unknown_key_is_401(string header, string value)
    {
        await Host.Scenario(x => { x.Get.Url("/api/reference"); x.WithRequestHeader(header, value); x.StatusCodeShouldBe(401); });
    }

    [Theory]
    [InlineData("Authorization", "Bearer " + Keys.Staff)]
    [InlineData("X-Api-Key", Keys.Staff)]
    public async Task a_configured_key_is_accepted_either_way(string header, string value)
    {
        // An unknown route with a good key gets past authentication to a 404 problem.
        await Host.Scenario(x =>
        {
            x.Get.Url("/api/no-such-route"); x.WithRequestHeader(header, value);
            x.StatusCodeShouldBe(404); x.ContentTypeShouldBe("application/problem+json");
        });
    }

    [Fact]
    public async Task an_incoming_correlation_id_is_returned()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/health/live"); x.WithRequestHeader("X-Correlation-ID", "abc-123"); });
        Assert.Equal("abc-123", result.Context.Response.Headers["X-Correlation-ID"].ToString());
    }

    [Fact]
    public async Task a_correlation_id_is_generated_when_missing_or_hostile()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/health/live"); x.WithRequestHeader("X-Correlation-ID", "<script>"); });
        var id = result.Context.Response.Headers["X-Correlation-ID"].ToString();
        Assert.Equal(32, id.Length);
    }

    [Fact]
    public async Task a_nul_character_in_any_text_is_a_400_not_a_database_error()
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Text("""{"kind":"site","name":"工地\u0000","address":"x"}""").ToUrl("/api/subjects");
            x.WithRequestHeader("Content-Type", "application/json");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(400);
        });
        Assert.Contains("NUL", result.ReadAsText());
    }
}
