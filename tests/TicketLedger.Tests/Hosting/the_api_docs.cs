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
