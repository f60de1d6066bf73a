using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TicketLedger.Tests.Dashboard;

[Collection(DashboardCollection.Name)]
public sealed class a_ticket_on_the_dashboard(DashboardFixture fixture)
{
    /// <summary>The seeded ticket with the longest history.</summary>
    private async Task<JsonNode> LongestTicket()
    {
        var page = await fixture.GetJson("/api/tickets?pageSize=200");
        return page["items"]!.AsArray().MaxBy(t => t!["version"]!.GetValue<int>())!;
    }

    private async Task<IPage> OpenTicket(string key, Guid id)
    {
        var page = await fixture.OpenLedger(key);
        await page.GotoAsync($"/dashboard?ticket={id}");
        await Expect(page.Locator("#ticket")).ToBeVisibleAsync();
        return page;
    }

    [ChromiumFact]
    public async Task the_timeline_lists_every_event_of_the_tickets_history_with_its_hash()
    {
        var ticket = await LongestTicket();
        var id = ticket["id"]!.GetValue<Guid>();
        var history = (await fixture.GetJson($"/api/tickets/{id}/history"))["events"]!.AsArray();
        Assert.True(history.Count >= 3, "the seeds hold tickets with several events");

        var page = await OpenTicket(Keys.Auditor, id);
        await Expect(page.Locator("#timeline > li")).ToHaveCountAsync(history.Count);
        var rows = await page.Locator("#timeline > li").EvaluateAllAsync<string[][]>(
            "items => items.map(i => [i.dataset.sequence, i.querySelector('.hash').textContent])");
        Assert.Equal(
            history.Select(e => new[] { e!["sequence"]!.GetValue<long>().ToString(), e["hash"]?.GetValue<string>() ?? "—" }),
            rows);
        await Expect(page.Locator("#ticket-title")).ToContainTextAsync(ticket["number"]!.GetValue<string>());
        await Expect(page.Locator("#ticket-now [data-field=version]")).ToHaveTextAsync(ticket["version"]!.ToString());
        await DashboardFixture.Screenshot(page, "ticket");
    }

    [ChromiumFact]
    public async Task any_version_shows_the_ticket_as_it_stood_after_that_event()
    {
        var id = (await LongestTicket())["id"]!.GetValue<Guid>();
        var first = await fixture.GetJson($"/api/tickets/{id}?version=1");

        var page = await OpenTicket(Keys.Auditor, id);
        await page.SelectOptionAsync("select[name=version]", "1");

        await Expect(page.Locator("#ticket-at-version [data-field=version]")).ToHaveTextAsync("1");
        Assert.Equal("open", first["status"]!.GetValue<string>());
        await Expect(page.Locator("#ticket-at-version [data-field=status]")).ToHaveTextAsync("待交办");
    }

    [ChromiumFact]
    public async Task an_auditor_sees_the_chain_verdict_and_staff_a_note_that_they_may_not_verify()
    {
        var id = (await LongestTicket())["id"]!.GetValue<Guid>();

        var auditor = await OpenTicket(Keys.Auditor, id);
        await Expect(auditor.Locator("#chain-verdict.good")).ToContainTextAsync("审计链完整");

        var staff = await OpenTicket(Keys.Staff, id);
        await Expect(staff.Locator("#chain-verdict.note")).ToContainTextAsync("只有审计或管理员密钥可以校验审计链");
        await Expect(staff.Locator("#timeline > li").First).ToBeVisibleAsync();
    }

    [ChromiumFact]
    public async Task a_pending_problem_in_the_list_links_to_its_ticket_page()
    {
        var page = await fixture.OpenLedger();
        var link = page.Locator("#pending-list a").First;
        var number = await link.TextContentAsync();
        await link.ClickAsync();

        await Expect(page.Locator("#ticket-title")).ToContainTextAsync(number!);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"\?ticket=[0-9a-f-]{36}$"));
        await page.GoBackAsync();
        await Expect(page.Locator("#ledger")).ToBeVisibleAsync();
    }
}
