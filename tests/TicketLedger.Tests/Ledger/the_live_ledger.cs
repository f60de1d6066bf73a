using TicketLedger.Subjects;
using TicketLedger.Tickets;
using static TicketLedger.Tests.Ledger.LedgerEvents;

namespace TicketLedger.Tests.Ledger;

public sealed class the_live_ledger(ApiFixture fixture) : ApiTest(fixture)
{
    private readonly LedgerEvents Events = new(fixture.Host);

    [Fact]
    public async Task an_empty_store_has_an_empty_ledger_without_rates()
    {
        var ledger = await Events.Ledger();
        Assert.Equal(0, ledger.Tickets.Raised);
        Assert.Null(ledger.Tickets.ResolutionRate);
        Assert.Null(ledger.Resumption.FirstResumed);
    }

    [Fact]
    public async Task tickets_count_as_raised_resolved_and_pending_by_category_and_department()
    {
        var subject = await Events.Enterprise(EnterpriseScale.Below);
        var resolved = await Events.Ticket(subject, "2020-02-12", "labour", 1);
        await Events.Ticket(subject, "2020-02-12", "funding", 2);
        await Events.Append(resolved,
            new TicketAssigned(resolved, "jfb", At("2020-02-12", 11)),
            new TicketResponded(resolved, "已联系", At("2020-02-12", 12)),
            new TicketResolved(resolved, "已解决", At("2020-02-13")));

        var ledger = await Events.Ledger();

        Assert.Equal((2, 1, 1), (ledger.Tickets.Raised, ledger.Tickets.Resolved, ledger.Tickets.Pending));
        Assert.Equal(1, ledger.Tickets.ByCategory["labour"]);
        Assert.Equal(1, ledger.Tickets.ByCategory["funding"]);
        Assert.Equal(1, ledger.Tickets.ByDepartment["jfb"]);
        Assert.Equal(0.5m, ledger.Tickets.ResolutionRate);
        Assert.Equal(0.5m, ledger.Tickets.ResponseRate);
        Assert.Equal(1, ledger.Tickets.Overdue);
    }

    [Fact]
    public async Task reopening_a_resolved_ticket_makes_it_pending_again()
    {
        var subject = await Events.Enterprise(EnterpriseScale.Below);
        var ticket = await Events.Ticket(subject, "2020-02-12");
        await Events.Append(ticket, new TicketResolved(ticket, "已解决", At("2020-02-12", 15)), new TicketReopened(ticket, "未解决", At("2020-02-14")));

        var ledger = await Events.Ledger();
        Assert.Equal((0, 1), (ledger.Tickets.Resolved, ledger.Tickets.Pending));
        var before = await Events.Ledger("?asOf=2020-02-13");
        Assert.Equal((1, 0), (before.Tickets.Resolved, before.Tickets.Pending));
    }

    [Fact]
    public async Task visits_count_distinct_enterprises_and_sites()
    {
        var enterprise = await Events.Enterprise(EnterpriseScale.Above);
        var site = await Events.Site(KeyProjectLevel.City);
        await Events.Visit(enterprise, "2020-02-11");
        await Events.Visit(enterprise, "2020-02-12");
        await Events.Visit(site, "2020-02-12");

        var ledger = await Events.Ledger();
        Assert.Equal((1, 1), (ledger.Visits.EnterprisesVisited, ledger.Visits.SitesVisited));
    }

    [Fact]
    public async Task the_latest_resumption_report_of_a_subject_counts_once()
    {
        var first = await Events.Enterprise(EnterpriseScale.Above, name: "郑州万达重工股份有限公司");
        var second = await Events.Enterprise(EnterpriseScale.Below, name: "另一家企业");
        var keyProject = await Events.Site(KeyProjectLevel.Province);
        await Events.Resume(first, "2020-02-14", 100, 50);
        await Events.Resume(first, "2020-02-20", 100, 90);
        await Events.Resume(second, "2020-02-18", 10, 10);
        await Events.Resume(keyProject, "2020-02-19", 200, 160);

        var ledger = await Events.Ledger();

        var r = ledger.Resumption;
        Assert.Equal((1, 1, 1, 1, 3), (r.AboveScaleTotal, r.AboveScaleResumed, r.BelowScaleResumed, r.KeyProjectsResumed, r.SubjectsResumed));
        Assert.Equal(260, r.WorkersReturned);
        Assert.Equal(Math.Round(260m / 310m, 4), r.ReturnRate);
        Assert.Equal(1m, r.AboveScaleRate);
        Assert.Equal("郑州万达重工股份有限公司", r.FirstResumed!.Name);
        Assert.Equal(new DateOnly(2020, 2, 14), r.FirstResumed.ResumedOn);
    }

    [Fact]
    public async Task funds_sum_by_batch()
    {
        var subject = await Events.Enterprise(EnterpriseScale.Below);
        await Events.Append(subject,
            new FundDisbursed(subject, "1", 300_000, new DateOnly(2020, 3, 10), At("2020-03-10")),
            new FundDisbursed(subject, "2", 180_000, new DateOnly(2020, 3, 12), At("2020-03-12")));

        var ledger = await Events.Ledger();
        Assert.Equal(480_000, ledger.Funds.DisbursedYuan);
        Assert.Equal(300_000, ledger.Funds.ByBatch["1"]);
    }

    [Fact]
    public async Task satisfaction_counts_return_visits()
    {
        var subject = await Events.Enterprise(EnterpriseScale.Below);
        var ticket = await Events.Ticket(subject, "2020-02-12");
        await Events.Append(ticket,
            new TicketResolved(ticket, "已解决", At("2020-02-12", 15)),
            new ReturnVisitRecorded(ticket, true, true, null, At("2020-02-13")));

        var ledger = await Events.Ledger();
        Assert.Equal((1, 1, 1m), (ledger.Tickets.ReturnVisits, ledger.Tickets.Satisfied, ledger.Tickets.SatisfactionRate));
    }

    [Theory]
    [InlineData("?asOf=yesterday", "asOf")]
    [InlineData("?asOf=2020-13-01", "asOf")]
    [InlineData("?knownAt=soon", "knownAt")]
    public async Task a_malformed_date_is_a_400_naming_the_field(string query, string field)
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url("/api/ledger" + query);
            x.WithRequestHeader("X-Api-Key", Keys.Auditor);
            x.StatusCodeShouldBe(400);
        });
        Assert.Contains($"\"{field}\"", result.ReadAsText());
    }
}
