using Alba;

namespace TicketLedger.Tests.Hosting;

/// <summary>The Swagger UI is read in a browser, which cannot send a key for the page itself.</summary>
public sealed class the_api_docs(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task the_swagger_ui_opens_in_a_browser_without_a_key()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/docs/index.html"); x.StatusCodeShouldBeOk(); });
        Assert.StartsWith("text/html", result.Context.Response.ContentType);
        Assert.Contains("swagger", result.ReadAsText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task the_docs_address_leads_to_the_swagger_ui()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/docs"); x.StatusCodeShouldBe(301); });
        Assert.EndsWith("docs/index.html", result.Context.Response.Headers.Location.ToString());
    }
}

public sealed class the_api_document_and_offices(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task routes_that_act_in_an_office_document_the_office_header_and_the_others_do_not()
    {
        var document = (await Host.Scenario(x => x.Get.Url("/openapi/v1.json"))).Json().GetProperty("paths");

        Assert.True(HasOfficeHeader(document.GetProperty("/api/tickets").GetProperty("post")));
        Assert.True(HasOfficeHeader(document.GetProperty("/api/ledger").GetProperty("get")));
        Assert.False(HasOfficeHeader(document.GetProperty("/api/reference").GetProperty("get")));
        Assert.False(HasOfficeHeader(document.GetProperty("/api/audit/verify").GetProperty("get")));
    }

    private static bool HasOfficeHeader(System.Text.Json.JsonElement operation) =>
        operation.TryGetProperty("parameters", out var parameters)
        && parameters.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "X-Office" && p.GetProperty("in").GetString() == "header");
}
