using System.Text.Json;
using Alba;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Hosting;

public sealed class hardened_responses(ApiFixture fixture) : ApiTest(fixture)
{
    [Theory]
    [InlineData("/api/reference", 200)]
    [InlineData("/api/tickets?page=abc", 400)]
    [InlineData("/api/no-such-route", 404)]
    public async Task api_responses_are_neither_sniffed_nor_cached(string url, int status)
    {
        var result = await Host.Scenario(x => { x.Get.Url(url); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(status); });
        var headers = result.Context.Response.Headers;
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());
        Assert.Equal("no-store", headers.CacheControl.ToString());
    }

    [Fact]
    public async Task a_401_is_neither_sniffed_nor_cached()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.StatusCodeShouldBe(401); });
        Assert.Equal("nosniff", result.Context.Response.Headers.XContentTypeOptions.ToString());
        Assert.Equal("no-store", result.Context.Response.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task responses_outside_the_api_are_not_sniffed_either()
    {
        var result = await Host.Scenario(x => x.Get.Url("/health/live"));
        Assert.Equal("nosniff", result.Context.Response.Headers.XContentTypeOptions.ToString());
    }

    [Fact]
    public async Task the_openapi_document_declares_the_api_key_and_bearer_schemes()
    {
        using var document = await OpenApi();
        var schemes = document.RootElement.GetProperty("components").GetProperty("securitySchemes");
        var apiKey = schemes.GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"),
            (apiKey.GetProperty("type").GetString(), apiKey.GetProperty("in").GetString(), apiKey.GetProperty("name").GetString()));
        var bearer = schemes.GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString()));
    }

    [Theory]
    [InlineData("/api/tickets", "post", true)]
    // Every role reads tickets, but an office route may refuse an X-Office the key may not use.
    [InlineData("/api/tickets", "get", true)]
    [InlineData("/api/reference", "get", false)]
    [InlineData("/api/tickets/{id}/resolve", "post", true)]
    [InlineData("/api/admin/projections/rebuild", "post", true)]
    public async Task secured_operations_name_the_schemes_and_answer_401_and_403(string path, string method, bool roleRestricted)
    {
        using var document = await OpenApi();
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);
        var requirements = operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToList();
        Assert.Equal(["ApiKey", "Bearer"], requirements);
        var responses = operation.GetProperty("responses");
        Assert.True(responses.TryGetProperty("401", out _));
        Assert.Equal(roleRestricted, responses.TryGetProperty("403", out _));
    }

    private async Task<JsonDocument> OpenApi()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/openapi/v1.json"); x.StatusCodeShouldBeOk(); });
        return JsonDocument.Parse(result.ReadAsText());
    }
}
