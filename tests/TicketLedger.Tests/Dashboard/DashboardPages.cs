using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TicketLedger.Tests.Dashboard;

/// <summary>The steps every dashboard test takes: open a page, sign in, wait until the figures arrived.</summary>
public static class DashboardPages
{
    public const string StorageKey = "ticketledger.apiKey";

    public static async Task SignIn(this IPage page, string key, string path = "/dashboard")
    {
        await page.GotoAsync(path);
        await page.FillAsync("input[name=apiKey]", key);
        await page.ClickAsync("#sign-in-form button[type=submit]");
    }

    /// <summary>Signed in and showing the ledger with its figures filled in.</summary>
    public static async Task<IPage> OpenLedger(this DashboardFixture fixture, string key = Keys.Auditor, string path = "/dashboard", int width = 1280)
    {
        var page = await fixture.NewPageAsync(width);
        await page.SignIn(key, path);
        await Expect(page.Locator("#ledger")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-figure='tickets.raised']")).Not.ToHaveTextAsync("—");
        await Expect(page.Locator("#daily-chart svg")).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Every figure on the page, as (path in GET /api/ledger, text shown).</summary>
    public static async Task<IReadOnlyList<(string Path, string Text)>> Figures(this IPage page)
    {
        var pairs = await page.Locator("[data-figure]").EvaluateAllAsync<string[][]>(
            "nodes => nodes.map(n => [n.dataset.figure, n.textContent.trim()])");
        return pairs.Select(p => (p[0], p[1])).ToList();
    }
}
