using Alba;
using Marten.Events;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Audit;

/// <summary>The admin rebuild runs inside a service whose async daemon keeps serving the ledger.</summary>
public sealed class rebuilding_projections_on_a_running_service(AuditFixture fixture) : AuditTest(fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task events_appended_after_a_rebuild_still_reach_the_async_ledger()
    {
        var subject = await Host.GivenSubject();
        await Host.GivenTicket(subject);
        await Host.WaitForNonStaleProjectionDataAsync(Patience);

        await Host.Scenario(x =>
        {
            x.Post.Url("/api/admin/projections/rebuild");
            x.WithKey(Keys.Admin);
        });
        Assert.Equal(1, await RaisedInLedgerAsync());

        await Host.GivenTicket(subject);
        await Host.WaitForNonStaleProjectionDataAsync(Patience);

        Assert.Equal(2, await RaisedInLedgerAsync());
    }

    private async Task<int> RaisedInLedgerAsync()
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url("/api/ledger");
            x.WithKey(Keys.Auditor);
        });
        return result.Json().GetProperty("tickets").GetProperty("raised").GetInt32();
    }
}
