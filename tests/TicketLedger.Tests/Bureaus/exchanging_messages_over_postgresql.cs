using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Bureaus;
using TicketLedger.Subjects;
using TicketLedger.Tests.Tickets;
using Wolverine;
using Wolverine.Tracking;

namespace TicketLedger.Tests.Bureaus;

/// <summary>The default transport: PostgreSQL-backed queues in the service's own database, on the shared API host.</summary>
public sealed class exchanging_messages_over_postgresql(ApiFixture fixture) : ApiTest(fixture)
{
    private static readonly TimeSpan Timeout = BureauScenarios.Timeout;

    [Fact]
    public async Task escalating_sends_the_ticket_to_the_queue_of_its_bureau()
    {
        var (id, number) = await Host.GivenTicket();
        var tracked = await Host.Tracked(() => Host.Escalate(id, "rsj"), external: false);

        var envelope = tracked.Sent.SingleEnvelope<TicketEscalatedToBureau>();
        Assert.EndsWith("/bureau.rsj", envelope.Destination!.ToString().TrimEnd('/'));
        var message = (TicketEscalatedToBureau)envelope.Message!;
        Assert.Equal((id, number, "rsj", "需要协调", "银河精密制造有限公司", "口罩缺货"),
            (message.TicketId, message.Number, message.Bureau, message.Reason, message.SubjectName, message.Title));
        Assert.Equal("ticketledger.ticket-escalated-to-bureau.v1", envelope.MessageType);
        Assert.Equal(1, await Host.QueuedIn("bureau.rsj", envelope.Id));
    }

    [Fact]
    public async Task resolving_an_escalated_ticket_notifies_its_bureau_and_an_office_ticket_notifies_none()
    {
        var (escalated, _) = await Host.GivenTicket();
        await Host.Escalate(escalated, "zjj");
        var tracked = await Host.Tracked(() => Host.Resolve(escalated), external: false);
        var notice = tracked.Sent.SingleEnvelope<TicketResolvedNotice>();
        Assert.EndsWith("/bureau.zjj", notice.Destination!.ToString().TrimEnd('/'));
        Assert.Equal("已调配口罩", ((TicketResolvedNotice)notice.Message!).Resolution);

        var (internalOnly, _) = await Host.GivenTicket();
        await Host.Assign(internalOnly);
        var quiet = await Host.Tracked(() => Host.Resolve(internalOnly), external: false);
        Assert.Empty(quiet.Sent.MessagesOf<TicketResolvedNotice>());
    }

    [Fact]
    public async Task a_bureau_reply_from_the_inbox_is_recorded_once_however_often_it_arrives()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "jfj-gxc");
        var reply = new BureauReply(id, "jfj-gxc", "已协调口罩两千只", "jfj-gxc-reply-1");

        await Host.ToOfficeInbox(reply);
        await Host.ToOfficeInbox(reply);

        var replies = (await Host.History(id)).Where(e => e.GetProperty("type").GetString() == "BureauReplied").ToList();
        var data = Assert.Single(replies).GetProperty("data");
        Assert.Equal(("jfj-gxc-reply-1", "已协调口罩两千只"), (data.GetProperty("messageId").GetString(), data.GetProperty("message").GetString()));
        Assert.Equal("jfj-gxc", replies[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task a_referral_raises_one_ticket_from_the_bureau_however_often_it_arrives()
    {
        var subject = await Host.GivenSubject();
        var referral = new ProblemReferral("rsj-2020-0042", "rsj", subject, "labour", "缺少熟练工", "复工缺少熟练工三十人");

        var first = await Host.ToOfficeInbox(referral);
        await Host.ToOfficeInbox(referral);

        var ticketId = ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0042");
        var ticket = await Host.GetTicket(ticketId);
        Assert.Equal(("bureau-referral", "缺少熟练工", subject), (ticket.GetProperty("source").GetString(), ticket.GetProperty("title").GetString(), ticket.GetProperty("subjectId").GetGuid()));
        Assert.Single(first.Sent.MessagesOf<TicketLedger.Tickets.ResponseDeadline>());
        var list = (await Host.Scenario(x => { x.Get.Url($"/api/tickets?subjectId={subject}"); x.WithKey(Keys.Auditor); })).Json();
        Assert.Equal(1, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task the_bureau_that_referred_a_problem_hears_of_its_resolution()
    {
        var subject = await Host.GivenSubject();
        await Host.ToOfficeInbox(new ProblemReferral("zjj-0007", "zjj", subject, "logistics", "工地运输受阻", "渣土车无法通行"));
        var referred = ProblemReferrals.TicketIdFor("zjj", "zjj-0007");
        await Host.Assign(referred);

        var tracked = await Host.Tracked(() => Host.Resolve(referred), external: false);

        var notice = tracked.Sent.SingleEnvelope<TicketResolvedNotice>();
        Assert.EndsWith("/bureau.zjj", notice.Destination!.ToString().TrimEnd('/'));
    }

    [Fact]
    public async Task impossible_messages_go_to_the_dead_letter_store_with_their_reason()
    {
        var (notEscalated, _) = await Host.GivenTicket();
        var (toRsj, _) = await Host.GivenTicket();
        await Host.Escalate(toRsj, "rsj");
        var marker = Guid.NewGuid().ToString("N");

        await Host.ToOfficeInbox(new BureauReply(Guid.NewGuid(), "rsj", "回复", "unknown-ticket-" + marker), expectFailure: true);
        await Host.ToOfficeInbox(new BureauReply(toRsj, "jfj-gxc", "回复", "wrong-bureau-" + marker), expectFailure: true);
        await Host.ToOfficeInbox(new BureauReply(notEscalated, "rsj", "回复", "not-escalated-" + marker), expectFailure: true);
        await Host.ToOfficeInbox(new BureauReply(toRsj, "nobody", "回复", "unknown-bureau-" + marker), expectFailure: true);
        await Host.ToOfficeInbox(new ProblemReferral("unknown-subject-" + marker, "rsj", Guid.NewGuid(), "labour", "标题", "描述"), expectFailure: true);
        await Host.ToOfficeInbox(new ProblemReferral("unknown-sender-" + marker, "someone", Guid.NewGuid(), "labour", "标题", "描述"), expectFailure: true);

        var dead = await Host.DeadLettersAbout(marker);
        string ReasonFor(string prefix) => dead.Single(d => d.GetProperty("message").GetRawText().Contains(prefix + marker)).GetProperty("reason").GetString()!;
        Assert.Contains("No ticket", ReasonFor("unknown-ticket-"));
        Assert.Contains("not escalated to that bureau", ReasonFor("wrong-bureau-"));
        Assert.Contains("not escalated to that bureau", ReasonFor("not-escalated-"));
        Assert.Contains("bureau", ReasonFor("unknown-bureau-"));
        Assert.Contains("No subject", ReasonFor("unknown-subject-"));
        Assert.Contains("someone", ReasonFor("unknown-sender-"));
        Assert.All(dead, d => Assert.Equal("TicketLedger.Bureaus.BureauMessageRejected", d.GetProperty("exceptionType").GetString()));
        Assert.Equal(0, await Host.CountOf(toRsj, "BureauReplied"));
    }

    [Fact]
    public async Task an_admin_replays_a_dead_letter_once_its_cause_is_fixed()
    {
        var subject = Guid.NewGuid();
        var messageId = "hotline-" + Guid.NewGuid().ToString("N");
        await Host.ToOfficeInbox(new ProblemReferral(messageId, "hotline", subject, "supplies", "缺消毒液", "需要消毒液五十桶"), expectFailure: true);
        var dead = Assert.Single(await Host.DeadLettersAbout(messageId));

        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe"))
        {
            session.Events.StartStream(subject, new SubjectRegistered(subject, "yinhe", SubjectKind.Site, "银河路地铁站施工项目", null, null,
                KeyProjectLevel.City, null, null, DateTimeOffset.UtcNow.AddDays(-1)));
            await session.SaveChangesAsync();
        }
        var id = dead.GetProperty("id").GetGuid();
        await Host.Scenario(x => { x.Post.Url($"/api/admin/dead-letters/{id}/replay"); x.WithKey(Keys.Admin); x.StatusCodeShouldBe(202); });

        var ticketId = ProblemReferrals.TicketIdFor("hotline", messageId);
        await Eventually.Until(
            async () => (await Host.Scenario(x => { x.Get.Url($"/api/tickets/{ticketId}"); x.WithKey(Keys.Staff); x.IgnoreStatusCode(); })).Context.Response.StatusCode,
            status => status == 200, Timeout, "the replayed referral to raise its ticket");
        Assert.Equal("hotline", (await Host.GetTicket(ticketId)).GetProperty("source").GetString());
        Assert.Empty(await Eventually.Until(() => Host.DeadLettersAbout(messageId), d => d.Count == 0, Timeout, "the replayed dead letter to leave the store"));
    }

    [Fact]
    public async Task only_an_admin_reads_and_replays_dead_letters()
    {
        await Host.Scenario(x => { x.Get.Url("/api/admin/dead-letters"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(403); });
        await Host.Scenario(x => { x.Get.Url("/api/admin/dead-letters"); x.WithKey(Keys.Auditor); x.StatusCodeShouldBe(403); });
        await Host.Scenario(x => { x.Post.Url($"/api/admin/dead-letters/{Guid.NewGuid()}/replay"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(403); });
        await Host.Scenario(x => { x.Post.Url($"/api/admin/dead-letters/{Guid.NewGuid()}/replay"); x.WithKey(Keys.Admin); x.StatusCodeShouldBe(404); });
    }
}
