using TicketLedger.Subjects;
using static TicketLedger.Tests.Ledger.LedgerEvents;

namespace TicketLedger.Tests.Ledger;

public sealed class the_ledger_in_the_past(ApiFixture fixture) : ApiTest(fixture)
{
    private readonly LedgerEvents Events = new(fixture.Host);

    [Fact]
    public async Task as_of_a_date_counts_what_had_happened_by_the_end_of_that_local_day()
    {
        var enterprise = await Events.Enterprise(EnterpriseScale.Above);
        await Events.Resume(enterprise, "2020-02-14", 100, 90);

        Assert.Equal(0, (await Events.Ledger("?asOf=2020-02-13")).Resumption.AboveScaleResumed);
        Assert.Equal(1, (await Events.Ledger("?asOf=2020-02-14")).Resumption.AboveScaleResumed);
    }

    [Fact]
    public async Task the_end_of_the_day_is_judged_in_the_office_time_zone()
    {
        var subject = await Events.Enterprise(EnterpriseScale.Below);
        // 23:30 in Shanghai on the 12th is 15:30 UTC on the 12th; 00:30 on the 13th is still the 12th in UTC.
        await Events.Ticket(subject, "2020-02-12");
        var late = Guid.NewGuid();
        await Events.Append(late, new TicketLedger.Tickets.TicketRaised(late, "yinhe", "2020-0002", subject, "labour", "t", "d",
            TicketLedger.Tickets.TicketSource.Hotline, At("2020-02-13", 0).AddMinutes(30), At("2020-02-14", 0)));

        Assert.Equal(1, (await Events.Ledger("?asOf=2020-02-12")).Tickets.Raised);
        Assert.Equal(2, (await Events.Ledger("?asOf=2020-02-13")).Tickets.Raised);
    }

    [Fact]
    public async Task a_back_dated_visit_moves_the_first_visit_without_counting_twice()
    {
        var enterprise = await Events.Enterprise(EnterpriseScale.Above);
        await Events.Visit(enterprise, "2020-02-20");
        await Events.Visit(enterprise, "2020-02-11");

        Assert.Equal(0, (await Events.Ledger("?asOf=2020-02-10")).Visits.EnterprisesVisited);
        Assert.Equal(1, (await Events.Ledger("?asOf=2020-02-11")).Visits.EnterprisesVisited);
        Assert.Equal(1, (await Events.Ledger()).Visits.EnterprisesVisited);
    }

    [Fact]
    public async Task as_of_today_equals_the_live_ledger()
    {
        var enterprise = await Events.Enterprise(EnterpriseScale.Above);
        await Events.Visit(enterprise, "2020-02-20");
        await Events.Ticket(enterprise, "2020-02-20");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");

        var live = await Events.Ledger();
        var asOfToday = await Events.Ledger("?asOf=" + today);
        // The figures, not their provenance: the audit sealer may extend the chain between the two reads.
        Assert.Equivalent(live with { Provenance = null! }, asOfToday with { Provenance = null! });
    }

    [Fact]
    public async Task known_at_leaves_out_what_was_recorded_later()
    {
        var enterprise = await Events.Enterprise(EnterpriseScale.Above);
        await Events.Visit(enterprise, "2020-02-11");
        await Events.Ledger();
        var between = DateTimeOffset.UtcNow;
        var site = await Events.Site(KeyProjectLevel.None);
        await Events.Visit(site, "2020-02-11");

        var knownBefore = await Events.Ledger("?asOf=2020-03-01&knownAt=" + Uri.EscapeDataString(between.ToString("O")));
        var knownNow = await Events.Ledger("?asOf=2020-03-01&knownAt=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O")));

        Assert.Equal((1, 0), (knownBefore.Visits.EnterprisesVisited, knownBefore.Visits.SitesVisited));
        Assert.Equal((1, 1), (knownNow.Visits.EnterprisesVisited, knownNow.Visits.SitesVisited));
    }

    [Fact]
    public async Task known_at_splits_events_the_projection_applied_in_one_page()
    {
        var enterprise = await Events.Enterprise(EnterpriseScale.Above);
        var site = await Events.Site(KeyProjectLevel.None);
        // No wait between the appends: the daemon applies them together, and the page's recording keeps them apart.
        await Events.Visit(enterprise, "2020-02-11");
        var between = DateTimeOffset.UtcNow;
        await Events.Visit(site, "2020-02-11");

        var knownBefore = await Events.Ledger("?asOf=2020-03-01&knownAt=" + Uri.EscapeDataString(between.ToString("O")));
        var knownNow = await Events.Ledger("?asOf=2020-03-01&knownAt=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O")));

        Assert.Equal((1, 0), (knownBefore.Visits.EnterprisesVisited, knownBefore.Visits.SitesVisited));
        Assert.Equal((1, 1), (knownNow.Visits.EnterprisesVisited, knownNow.Visits.SitesVisited));
    }
}
