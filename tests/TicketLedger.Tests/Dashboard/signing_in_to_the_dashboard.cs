using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TicketLedger.Tests.Dashboard;

[Collection(DashboardCollection.Name)]
public sealed class signing_in_to_the_dashboard(DashboardFixture fixture)
{
    [ChromiumFact]
    public async Task the_page_opens_without_a_key_and_asks_for_one()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Address };
        var response = await anonymous.GetAsync("/dashboard");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        // The page is open, the ledger behind it is not.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/ledger")).StatusCode);

        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/dashboard");
        await Expect(page.Locator("input[name=apiKey]")).ToBeVisibleAsync();
        await Expect(page.Locator("#ledger")).ToBeHiddenAsync();
        await DashboardFixture.Screenshot(page, "sign-in");
    }

    [ChromiumFact]
    public async Task a_known_key_opens_the_ledger_and_never_travels_in_a_url()
    {
        var page = await fixture.NewPageAsync();
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);

        await page.SignIn(Keys.Staff);
        await Expect(page.Locator("#ledger")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-figure='tickets.raised']")).Not.ToHaveTextAsync("—");

        Assert.Equal(Keys.Staff, await page.EvaluateAsync<string>($"sessionStorage.getItem('{DashboardPages.StorageKey}')"));
        Assert.Contains(requested, url => url.Contains("/api/ledger"));
        Assert.DoesNotContain(requested, url => url.Contains(Keys.Staff));
        Assert.DoesNotContain(Keys.Staff, page.Url);
        await Expect(page.Locator("input[name=apiKey]")).ToBeHiddenAsync();
    }

    [ChromiumFact]
    public async Task a_wrong_key_is_refused_and_forgotten()
    {
        var page = await fixture.NewPageAsync();
        await page.SignIn("not-a-key");

        await Expect(page.Locator("#sign-in-error")).ToHaveTextAsync("密钥无效，请重新输入。");
        await Expect(page.Locator("#ledger")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>($"sessionStorage.getItem('{DashboardPages.StorageKey}')"));
        await DashboardFixture.Screenshot(page, "wrong-key");
    }

    [ChromiumFact]
    public async Task a_bureau_key_is_told_that_its_role_may_not_read_the_ledger()
    {
        var page = await fixture.NewPageAsync();
        await page.SignIn(Keys.Bureau);

        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("无权查看台账");
        await Expect(page.Locator("#ledger")).ToBeHiddenAsync();
    }

    [ChromiumFact]
    public async Task signing_out_forgets_the_key()
    {
        var page = await fixture.OpenLedger(Keys.Staff);
        await page.ClickAsync("#sign-out");

        await Expect(page.Locator("input[name=apiKey]")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>($"sessionStorage.getItem('{DashboardPages.StorageKey}')"));
    }
}
