using Alba;
using Marten;
using Marten.Events;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Ledger;

/// <summary>The ticket, the ticket list and the ledger count the same tickets as overdue, late answers included.</summary>
public sealed class one_overdue_rule(ApiFixture fixture) : ApiTest(fixture)
{
    private readonly LedgerEvents Events = new(fixture.Host);

    [Fact]
    public async Task a_ticket_answered_the_day_after_it_was_raised_is_overdue_in_the_ticket_the_list_and_the_ledger()
    {
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        var (late, _) = await Host.GivenTicket(occurredAt: yesterday);
        await Host.Respond(late);
        var (onTime, _) = await Host.GivenTicket(occurredAt: yesterday);
        await Host.Respond(onTime, occurredAt: yesterday);

        Assert.True((await Host.GetTicket(late)).GetProperty("overdue").GetBoolean());
        Assert.False((await Host.GetTicket(onTime)).GetProperty("overdue").GetBoolean());
        var listed = await Host.Scenario(x => { x.Get.Url("/api/tickets?overdue=true"); x.WithKey(Keys.Staff); });
        Assert.Equal(late, listed.Json().GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await Events.Ledger()).Tickets.Overdue);
        var office = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, office).DateTime).ToString("yyyy-MM-dd");
        Assert.Equal(1, (await Events.Ledger($"?asOf={today}")).Tickets.Overdue);
    }
}
