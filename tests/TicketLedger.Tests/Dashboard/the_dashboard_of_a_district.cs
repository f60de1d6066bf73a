using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TicketLedger.Tests.Dashboard;

[Collection(DistrictDashboardCollection.Name)]
public sealed class the_dashboard_of_a_district(DistrictDashboardFixture fixture)
{
    private static async Task AssertFiguresEqual(IPage page, JsonNode ledger)
    {
        var shown = await page.Figures();
        Assert.Contains(shown, f => f.Path == "tickets.responseRate");
        Assert.All(shown, f => Assert.Equal((f.Path, FigureText.For(f.Path, FigureText.At(ledger, f.Path))), f));
    }

    [ChromiumFact]
    public async Task a_key_of_several_offices_picks_the_district_or_an_office_and_the_address_keeps_the_choice()
    {
        var page = await fixture.OpenLedger();
        var office = page.Locator("select[name=office]");

        // The district first: its total, under the same data-figure names as an office's ledger.
        await Expect(office).ToBeVisibleAsync();
        await Expect(office).ToHaveValueAsync("district");
        await Expect(page).ToHaveURLAsync(new Regex(@"/dashboard\?office=district$"));
        Assert.Equal(["district", "yinhe", "gangqu", "kashi"], await office.Locator("option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        await Expect(office.Locator("option[value=district]")).ToHaveTextAsync($"{DistrictDashboardFixture.DistrictName}（全部办事处合计）");
        var district = await fixture.GetJson("/api/district/ledger");
        Assert.Equal(87, district["total"]!["tickets"]!["raised"]!.GetValue<int>());
        await AssertFiguresEqual(page, district["total"]!);
        await Expect(page.Locator("#report")).ToContainTextAsync($"{DistrictDashboardFixture.DistrictName}3个办事处合计");
        await Expect(page.Locator("#pending-list")).ToContainTextAsync("港区办事处");
        await DashboardFixture.Screenshot(page, "district");

        // An office: X-Office on every read, its own figures.
        await office.SelectOptionAsync("gangqu");
        await Expect(page).ToHaveURLAsync(new Regex(@"/dashboard\?office=gangqu$"));
        var gangqu = await fixture.GetJson("/api/ledger", office: "gangqu");
        await Expect(page.Locator("[data-figure='tickets.raised']")).ToHaveTextAsync(FigureText.For("tickets.raised", gangqu["tickets"]!["raised"]));
        await AssertFiguresEqual(page, gangqu);
        await Expect(page.Locator("#report")).Not.ToContainTextAsync("合计");

        // The address is the view, the date included.
        var shared = await fixture.OpenLedger(path: "/dashboard?office=district&asOf=2020-03-02");
        await Expect(shared.Locator("select[name=office]")).ToHaveValueAsync("district");
        await AssertFiguresEqual(shared, (await fixture.GetJson("/api/district/ledger?asOf=2020-03-02"))["total"]!);
    }

    [ChromiumFact]
    public async Task a_ticket_opened_from_the_district_is_read_in_its_own_office()
    {
        var page = await fixture.OpenLedger(path: "/dashboard?office=district");
        var row = page.Locator("#pending-list tr", new PageLocatorOptions { HasText = "喀什办事处" });
        await row.Locator("a").ClickAsync();

        await Expect(page.Locator("#ticket")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"office=kashi&ticket="));
        await Expect(page.Locator("#ticket-now [data-field=title]")).ToHaveTextAsync("kashi缺工1");
        // Times on Urumqi's clock: 10:00 in Beijing.
        await Expect(page.Locator("#ticket-now [data-field=raisedAt]")).ToHaveTextAsync("2020-03-03 08:00:00 +06:00");

        await page.ClickAsync("#back");
        await Expect(page).ToHaveURLAsync(new Regex(@"/dashboard\?office=district$"));
        await Expect(page.Locator("select[name=office]")).ToHaveValueAsync("district");
    }

    [ChromiumFact]
    public async Task a_key_of_one_office_has_nothing_to_choose_and_reads_its_office()
    {
        var page = await fixture.OpenLedger(DistrictDashboardFixture.GangquStaffKey);

        await Expect(page.Locator("select[name=office]")).ToBeHiddenAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/dashboard$"));
        await AssertFiguresEqual(page, await fixture.GetJson("/api/ledger", DistrictDashboardFixture.GangquStaffKey));
    }
}
