using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TicketLedger.Tests.Dashboard;

/// <summary>Readable with assistive technology, on a phone and on paper.</summary>
[Collection(DashboardCollection.Name)]
public sealed class the_dashboard_for_everyone(DashboardFixture fixture)
{
    private static async Task AssertNoSeriousViolations(IPage page)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}");
        Assert.Empty(serious);
    }

    [ChromiumFact]
    public async Task the_sign_in_ledger_and_ticket_pages_have_no_serious_or_critical_accessibility_violations()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/dashboard");
        await Expect(page.Locator("input[name=apiKey]")).ToBeVisibleAsync();
        await AssertNoSeriousViolations(page);

        var ledger = await fixture.OpenLedger();
        await AssertNoSeriousViolations(ledger);
        await ledger.ClickAsync("#lang-toggle");
        await Expect(ledger.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(ledger.Locator("#report")).ToContainTextAsync("As of");
        await AssertNoSeriousViolations(ledger);

        await ledger.Locator("#pending-list a").First.ClickAsync();
        await Expect(ledger.Locator("#chain-verdict.good")).ToBeVisibleAsync();
        await AssertNoSeriousViolations(ledger);
    }

    [ChromiumFact]
    public async Task on_a_phone_nothing_runs_off_the_side_of_the_screen()
    {
        var page = await fixture.OpenLedger(width: 390);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            "the page is wider than a phone screen");
        await DashboardFixture.Screenshot(page, "ledger-phone");
    }

    [ChromiumFact]
    public async Task printed_it_is_the_days_ledger_without_the_controls()
    {
        var page = await fixture.OpenLedger();
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });

        await Expect(page.Locator("#sign-out")).ToBeHiddenAsync();
        await Expect(page.Locator("#live")).ToBeHiddenAsync();
        await Expect(page.Locator("#report")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-figure='tickets.raised']")).ToBeVisibleAsync();
        await DashboardFixture.Screenshot(page, "ledger-print");
    }
}
