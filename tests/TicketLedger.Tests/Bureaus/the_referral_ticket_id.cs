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

    [Fact]
    public void is_unchanged_for_the_office_of_ledger_office_and_names_any_other_office()
    {
        Assert.Equal(Guid.Parse(KnownBeforeOffices), ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031"));
        var kashi = ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031", "kashi");
        Assert.Equal(kashi, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031", "kashi"));
        Assert.NotEqual(kashi, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031", "gangqu"));
        Assert.NotEqual(kashi, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031"));
        Assert.Equal(8, kashi.Version);
    }

    /// <summary>The id the single-office build gave the referral rsj/rsj-2020-0031.</summary>
    private const string KnownBeforeOffices = "19913a0e-87bf-893d-bfa9-fe14fdbbab74";
}
