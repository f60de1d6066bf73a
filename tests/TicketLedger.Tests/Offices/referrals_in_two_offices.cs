using Marten;
using Marten.Events;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// A bureau serves several offices over one queue and numbers its messages its own way: the same message id may reach
/// two offices. Each office then has a ticket of its own, counted in its own ledger only.
/// </summary>
public sealed class referrals_in_two_offices(DistrictFixture fixture) : DistrictTest(fixture)
{
    [Fact]
    public async Task one_message_id_referred_to_two_offices_is_a_ticket_of_each_counted_in_its_own_ledger()
    {
        var messageId = Guid.NewGuid().ToString();
        var yinhe = await Refer(DistrictFixture.Yinhe, messageId);
        var gangqu = await Refer(DistrictFixture.Gangqu, messageId);
        Assert.NotEqual(yinhe, gangqu);

        var desk = new OfficeDesk(Host, new Caller(DistrictKeys.YinheStaff));
        await desk.Command(yinhe, "assign", new { department = "xmb" });
        await desk.Command(yinhe, "resolve", new { resolution = "已调配口罩" });
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((1, 1), await RaisedAndResolved(DistrictFixture.Yinhe));
        Assert.Equal((1, 0), await RaisedAndResolved(DistrictFixture.Gangqu));
    }

    private async Task<Guid> Refer(string office, string messageId)
    {
        var subject = await new OfficeDesk(Host, new Caller(Keys.Staff, office)).Enterprise();
        var referred = await new OfficeDesk(Host, new Caller(Keys.Bureau, office)).Post("/api/referrals",
            new { messageId, subjectId = subject, category = "supplies", title = "口罩", description = "缺口罩" }, status: 201);
        return referred.Json().GetProperty("id").GetGuid();
    }

    private async Task<(int, int)> RaisedAndResolved(string office)
    {
        var tickets = (await new OfficeDesk(Host, new Caller(Keys.Auditor, office)).Get("/api/ledger")).GetProperty("tickets");
        return (tickets.GetProperty("raised").GetInt32(), tickets.GetProperty("resolved").GetInt32());
    }
}
