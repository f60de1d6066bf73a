using TicketLedger.Bureaus;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Bureaus;

/// <summary>
/// A single-office deployment still reads the messages bureaus sent before offices existed (version 1, no office field),
/// and version 2 with or without its office: every message there is for the one office.
/// </summary>
public sealed class reading_messages_of_version_1(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_version_1_reply_is_recorded_on_the_ticket_of_the_one_office()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "jfj-gxc");

        var tracked = await Host.ToOfficeInbox(new BureauReplyV1(id, "jfj-gxc", "已协调口罩两千只", "jfj-gxc-v1-1"));

        Assert.Equal(BureauReplyV1.Type, tracked.Received.SingleEnvelope<BureauReplyV1>().MessageType);
        var replied = (await Host.History(id)).Single(e => e.GetProperty("type").GetString() == "BureauReplied");
        Assert.Equal("jfj-gxc-v1-1", replied.GetProperty("data").GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task a_version_1_referral_raises_the_ticket_it_raised_before_offices_and_a_repeat_in_version_2_finds_it()
    {
        var subject = await Host.GivenSubject();
        await Host.ToOfficeInbox(new ProblemReferralV1("rsj-v1-0001", "rsj", subject, "labour", "缺少熟练工", "复工缺少熟练工三十人"));
        await Host.ToOfficeInbox(new ProblemReferral("rsj-v1-0001", "rsj", subject, "labour", "缺少熟练工", "复工缺少熟练工三十人", Office: "yinhe"));

        var ticket = await Host.GetTicket(ProblemReferrals.TicketIdFor("rsj", "rsj-v1-0001"));
        Assert.Equal(("bureau-referral", subject), (ticket.GetProperty("source").GetString(), ticket.GetProperty("subjectId").GetGuid()));
        var list = (await Host.Scenario(x => { x.Get.Url($"/api/tickets?subjectId={subject}"); x.WithKey(Keys.Auditor); })).Json();
        Assert.Equal(1, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task a_version_2_reply_may_name_the_one_office_but_no_other()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "jfj-gxc");
        var marker = Guid.NewGuid().ToString("N");

        await Host.ToOfficeInbox(new BureauReply(id, "jfj-gxc", "已安排", "named-" + marker, Office: "yinhe"));
        await Host.ToOfficeInbox(new BureauReply(id, "jfj-gxc", "已安排", "elsewhere-" + marker, Office: "gangqu"), expectFailure: true);

        var replies = (await Host.History(id)).Where(e => e.GetProperty("type").GetString() == "BureauReplied").ToList();
        Assert.Equal("named-" + marker, Assert.Single(replies).GetProperty("data").GetProperty("messageId").GetString());
        var dead = Assert.Single(await Host.DeadLettersAbout(marker));
        Assert.Equal("office 'gangqu' is not an office of this deployment (yinhe).", dead.GetProperty("reason").GetString());
    }
}
