using TicketLedger.Bureaus;

namespace TicketLedger.Tests.Bureaus;

public sealed class the_referral_ticket_id
{
    [Fact]
    public void is_the_same_for_the_same_sender_and_message_and_differs_otherwise()
    {
        var id = ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031");
        Assert.Equal(id, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031"));
        Assert.NotEqual(id, ProblemReferrals.TicketIdFor("zjj", "rsj-2020-0031"));
        Assert.NotEqual(id, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0032"));
        Assert.Equal(8, id.Version);
    }
}
