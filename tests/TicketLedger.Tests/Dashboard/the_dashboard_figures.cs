using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tests.Tickets;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketLedger.Tests.Dashboard;

[Collection(DashboardCollection.Name)]
public sealed class the_dashboard_figures(DashboardFixture fixture, ITestOutputHelper output)
{
    /// <summary>The figures of the office's report, the three rates and the overdue count (docs/dashboard.md).</summary>
    private static readonly string[] ReportFigures =
    [
        "visits.enterprisesVisited", "visits.sitesVisited",
        "tickets.raised", "tickets.resolved", "tickets.pending", "tickets.overdue",
        "tickets.responseRate", "tickets.resolutionRate", "tickets.satisfactionRate",
        "resumption.aboveScaleResumed", "resumption.aboveScaleTotal", "resumption.aboveScaleRate",
        "resumption.belowScaleResumed", "resumption.keyProjectsResumed", "resumption.workersReturned", "resumption.returnRate",
        "funds.disbursedYuan",
    ];

    private static async Task AssertFiguresEqual(IPage page, System.Text.Json.Nodes.JsonNode ledger)
    {
        var shown = await page.Figures();
        Assert.Empty(ReportFigures.Except(shown.Select(f => f.Path)));
        Assert.All(shown, f => Assert.Equal((f.Path, FigureText.For(f.Path, FigureText.At(ledger, f.Path))), f));
    }

    [ChromiumFact]
    public async Task every_figure_on_the_page_is_the_api_figure_of_the_seeded_ledger()
    {
        var page = await fixture.OpenLedger();
        var ledger = await fixture.GetJson("/api/ledger");

        await AssertFiguresEqual(page, ledger);
        // The seeded report's own numbers, as the page writes them.
        await Expect(page.Locator("[data-figure='resumption.workersReturned']")).ToHaveTextAsync("6,612");
        await Expect(page.Locator("[data-figure='tickets.responseRate']")).ToHaveTextAsync("95.2%");
        await Expect(page.Locator("[data-figure='funds.disbursedYuan']")).ToHaveTextAsync("480,000");
        await DashboardFixture.Screenshot(page, "ledger");
        await DashboardFixture.Screenshot(page, "ledger-first-screen", fullPage: false);
    }

    [ChromiumFact]
    public async Task a_date_shows_the_ledger_as_of_that_date_and_goes_into_the_url()
    {
        var page = await fixture.OpenLedger();
        var then = await fixture.GetJson("/api/ledger?asOf=2020-02-20");

        await page.FillAsync("input[name=asOf]", "2020-02-20");
        await Expect(page).ToHaveURLAsync(new Regex(@"/dashboard\?asOf=2020-02-20$"));
        await Expect(page.Locator("[data-figure='tickets.raised']")).ToHaveTextAsync(FigureText.For("tickets.raised", then["tickets"]!["raised"]));
        await AssertFiguresEqual(page, then);
        await DashboardFixture.Screenshot(page, "ledger-as-of-2020-02-20");

        // The address is the view: opened elsewhere, it shows the same date.
        var shared = await fixture.OpenLedger(path: "/dashboard?asOf=2020-02-20");
        await Expect(shared.Locator("input[name=asOf]")).ToHaveValueAsync("2020-02-20");
        await AssertFiguresEqual(shared, then);
    }

    [ChromiumFact]
    public async Task english_uses_the_reports_wording_and_keeps_the_figures()
    {
        var page = await fixture.OpenLedger();
        await page.ClickAsync("#lang-toggle");

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#report")).ToContainTextAsync("still being worked on");
        await AssertFiguresEqual(page, await fixture.GetJson("/api/ledger"));
        await page.ClickAsync("#lang-toggle");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
    }

    [ChromiumFact]
    public async Task a_problem_raised_through_the_api_appears_on_an_open_page_without_a_reload()
    {
        var page = await fixture.OpenLedger();
        var raised = (await fixture.GetJson("/api/ledger"))["tickets"]!["raised"]!.GetValue<int>();
        await Expect(page.Locator("[data-figure='tickets.raised']")).ToHaveTextAsync(raised.ToString("#,0"));
        var loads = 0;
        page.FrameNavigated += (_, _) => loads++;

        using var staff = fixture.Api(Keys.Staff);
        var subject = await staff.PostAsJsonAsync("/api/subjects", SubjectScenarios.Enterprise());
        Assert.Equal(HttpStatusCode.Created, subject.StatusCode);
        var subjectId = (await subject.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        var clock = Stopwatch.StartNew();
        var ticket = await staff.PostAsJsonAsync("/api/tickets", TicketScenarios.RaiseBody(subjectId));
        Assert.Equal(HttpStatusCode.Created, ticket.StatusCode);

        // The async projection, then the page's next poll; the wait is Playwright's, with room for a busy machine.
        await Expect(page.Locator("[data-figure='tickets.raised']")).ToHaveTextAsync((raised + 1).ToString("#,0"), new() { Timeout = 10_000 });
        output.WriteLine($"the new problem showed on the page {clock.ElapsedMilliseconds} ms after the API answered");
        await Expect(page.Locator("#pending-list")).ToContainTextAsync("口罩缺货");
        Assert.Equal(0, loads);
    }
}
