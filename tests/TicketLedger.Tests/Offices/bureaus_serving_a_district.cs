using Alba;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Audit;
using TicketLedger.Bureaus;
using TicketLedger.Tests.Bureaus;
using TicketLedger.Tickets;
using Wolverine;
using Wolverine.Tracking;
using static TicketLedger.Tests.Offices.DistrictFixture;

namespace TicketLedger.Tests.Offices;

/// <summary>One bureau serves every office of the district over the same queues: bureau.&lt;code&gt; out, office.inbox in.</summary>
public sealed class bureaus_serving_a_district(DistrictFixture fixture) : DistrictTest(fixture)
{
    private static readonly DateTimeOffset LateOnAnUrumqiEvening = DateTimeOffset.Parse("2020-02-16T17:00:00Z"); // 23:00 in Urumqi, 01:00 next day in Beijing

    private static ProblemReferral Referral(string messageId, Guid subject, string? office, DateTimeOffset? occurredAt = null) =>
        new(messageId, "rsj", subject, "labour", "缺少熟练工", "复工缺少熟练工三十人", occurredAt ?? LateOnAnUrumqiEvening, office);

    /// <summary>The counters of ticket numbers outlive the data reset between tests: compare numbers, not their values.</summary>
    private static int Sequence(System.Text.Json.JsonElement ticket) => int.Parse(ticket.GetProperty("number").GetString()![5..]);

    private static int RepliesIn(IReadOnlyList<System.Text.Json.JsonElement> history) =>
        history.Count(e => e.GetProperty("type").GetString() == "BureauReplied");

    [Fact]
    public async Task two_offices_escalating_to_one_bureau_both_send_to_its_queue_each_naming_its_office()
    {
        var yinhe = await Host.GivenTicketIn(Yinhe);
        var gangqu = await Host.GivenTicketIn(Gangqu);

        foreach (var (office, (id, number)) in new[] { (Yinhe, yinhe), (Gangqu, gangqu) })
        {
            var tracked = await Host.Tracked(() => Host.EscalateIn(office, id, "rsj"), external: false);

            var envelope = tracked.Sent.SingleEnvelope<TicketEscalatedToBureau>();
            Assert.EndsWith("/bureau.rsj", envelope.Destination!.ToString().TrimEnd('/'));
            Assert.Equal(("ticketledger.ticket-escalated-to-bureau.v1", office), (envelope.MessageType, envelope.TenantId));
            var message = (TicketEscalatedToBureau)envelope.Message!;
            Assert.Equal((id, number, office, "rsj"), (message.TicketId, message.Number, message.Office, message.Bureau));
            Assert.Equal(1, await Host.QueuedIn("bureau.rsj", envelope.Id));
        }

        var resolved = await Host.Tracked(() => Host.ResolveIn(Gangqu, gangqu.Id), external: false);
        var notice = resolved.Sent.SingleEnvelope<TicketResolvedNotice>();
        Assert.EndsWith("/bureau.rsj", notice.Destination!.ToString().TrimEnd('/'));
        Assert.Equal((Gangqu, gangqu.Id, Gangqu), (notice.TenantId, ((TicketResolvedNotice)notice.Message!).TicketId, ((TicketResolvedNotice)notice.Message!).Office));
    }

    [Fact]
    public async Task a_bureau_reply_reaches_the_office_it_names_when_two_offices_escalated_to_that_bureau()
    {
        var (yinhe, _) = await Host.GivenTicketIn(Yinhe);
        var (gangqu, _) = await Host.GivenTicketIn(Gangqu);
        await Host.EscalateIn(Yinhe, yinhe, "jfj-gxc");
        await Host.EscalateIn(Gangqu, gangqu, "jfj-gxc");

        var reply = new BureauReply(gangqu, "jfj-gxc", "港区的口罩明日送达", "jfj-gxc-reply-7", Office: Gangqu);
        await Host.ToOfficeInbox(reply);
        await Host.ToOfficeInbox(reply);

        var replied = (await Host.HistoryIn(Gangqu, gangqu)).Single(e => e.GetProperty("type").GetString() == "BureauReplied");
        Assert.Equal(("jfj-gxc-reply-7", "jfj-gxc"), (replied.GetProperty("data").GetProperty("messageId").GetString(), replied.GetProperty("actor").GetString()));
        Assert.Equal(0, RepliesIn(await Host.HistoryIn(Yinhe, yinhe)));
    }

    [Fact]
    public async Task a_reply_naming_another_office_than_its_tickets_is_dead_lettered_as_no_ticket_of_that_office()
    {
        var (gangqu, _) = await Host.GivenTicketIn(Gangqu);
        await Host.EscalateIn(Gangqu, gangqu, "jfj-gxc");
        var marker = Guid.NewGuid().ToString("N");

        await Host.ToOfficeInbox(new BureauReply(gangqu, "jfj-gxc", "回复", "wrong-office-" + marker, Office: Yinhe), expectFailure: true);

        var dead = Assert.Single(await Host.DeadLettersAbout(marker));
        Assert.Equal($"No ticket {gangqu} exists in office 'yinhe'.", dead.GetProperty("reason").GetString());
        Assert.Equal(BureauReply.Type, dead.GetProperty("messageType").GetString());
        Assert.Equal(0, RepliesIn(await Host.HistoryIn(Gangqu, gangqu)));
    }

    [Fact]
    public async Task a_message_that_names_no_office_or_an_unknown_one_is_dead_lettered_with_its_reason()
    {
        var (gangqu, _) = await Host.GivenTicketIn(Gangqu);
        await Host.EscalateIn(Gangqu, gangqu, "jfj-gxc");
        var subject = await Host.GivenSubjectIn(Kashi);
        var marker = Guid.NewGuid().ToString("N");

        await Host.ToOfficeInbox(new BureauReplyV1(gangqu, "jfj-gxc", "回复", "v1-reply-" + marker), expectFailure: true);
        await Host.ToOfficeInbox(new ProblemReferralV1("v1-referral-" + marker, "rsj", subject, "labour", "标题", "描述"), expectFailure: true);
        await Host.ToOfficeInbox(new BureauReply(gangqu, "jfj-gxc", "回复", "no-office-" + marker), expectFailure: true);
        await Host.ToOfficeInbox(Referral("no-office-referral-" + marker, subject, office: null), expectFailure: true);
        await Host.ToOfficeInbox(new BureauReply(gangqu, "jfj-gxc", "回复", "unknown-office-" + marker, Office: "nowhere"), expectFailure: true);

        var dead = await Host.DeadLettersAbout(marker);
        (string Type, string Reason) DeadLetter(string prefix)
        {
            var letter = dead.Single(d => d.GetProperty("message").GetRawText().Contains(prefix + marker));
            return (letter.GetProperty("messageType").GetString()!, letter.GetProperty("reason").GetString()!);
        }
        const string all = "(yinhe, gangqu, kashi)";
        Assert.Equal((BureauReplyV1.Type,
                $"ticketledger.bureau-reply.v1 cannot name an office, and this deployment serves several {all}: send ticketledger.bureau-reply.v2 with its office."),
            DeadLetter("v1-reply-"));
        Assert.Equal((ProblemReferralV1.Type,
                $"ticketledger.problem-referral.v1 cannot name an office, and this deployment serves several {all}: send ticketledger.problem-referral.v2 with its office."),
            DeadLetter("v1-referral-"));
        Assert.Equal((BureauReply.Type, $"office is required: this deployment serves several offices {all}."), DeadLetter("no-office-"));
        Assert.Equal((ProblemReferral.Type, $"office is required: this deployment serves several offices {all}."), DeadLetter("no-office-referral-"));
        Assert.Equal((BureauReply.Type, $"office 'nowhere' is not an office of this deployment {all}."), DeadLetter("unknown-office-"));

        Assert.Equal(0, RepliesIn(await Host.HistoryIn(Gangqu, gangqu)));
        Assert.Equal(0, await Host.TicketCountIn(Kashi));
    }

    [Fact]
    public async Task a_referral_raises_its_ticket_in_the_office_it_names_numbered_there_and_due_by_the_end_of_that_offices_day()
    {
        var kashiSubject = await Host.GivenSubjectIn(Kashi);
        var tracked = await Host.ToOfficeInbox(Referral("rsj-2020-0031", kashiSubject, Kashi));
        await Host.ToOfficeInbox(Referral("rsj-2020-0032", await Host.GivenSubjectIn(Yinhe), Yinhe));
        await Host.ToOfficeInbox(Referral("rsj-2020-0033", kashiSubject, Kashi));

        var id = ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0031", Kashi);
        var ticket = (await Host.TicketIn(Kashi, id))!.Value;
        var endOfTheUrumqiDay = DateTimeOffset.Parse("2020-02-17T00:00:00+06:00");
        Assert.Equal(("bureau-referral", endOfTheUrumqiDay), (ticket.GetProperty("source").GetString(), ticket.GetProperty("dueBy").GetDateTimeOffset()));
        Assert.StartsWith("2020-", ticket.GetProperty("number").GetString());
        var nextInKashi = (await Host.TicketIn(Kashi, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0033", Kashi)))!.Value;
        Assert.Equal(Sequence(ticket) + 1, Sequence(nextInKashi));
        Assert.Null(await Host.TicketIn(Yinhe, id));
        Assert.Null(await Host.TicketIn(Gangqu, id));
        Assert.Equal((1, 2, 0), (await Host.TicketCountIn(Yinhe), await Host.TicketCountIn(Kashi), await Host.TicketCountIn(Gangqu)));

        var timer = tracked.Sent.Envelopes().Single(e => e.Message is ResponseDeadline);
        Assert.Equal(Kashi, timer.TenantId);
        Assert.Equal(new ResponseDeadline(id, endOfTheUrumqiDay, Kashi), timer.Message);
    }

    [Fact]
    public async Task the_same_referral_id_sent_to_two_offices_raises_a_ticket_of_its_own_in_each()
    {
        var messageId = "rsj-" + Guid.NewGuid().ToString("N");
        await Host.ToOfficeInbox(Referral(messageId, await Host.GivenSubjectIn(Yinhe), Yinhe));
        await Host.ToOfficeInbox(Referral(messageId, await Host.GivenSubjectIn(Gangqu), Gangqu));

        var inYinhe = ProblemReferrals.TicketIdFor("rsj", messageId);
        var inGangqu = ProblemReferrals.TicketIdFor("rsj", messageId, Gangqu);
        Assert.NotEqual(inYinhe, inGangqu);
        Assert.NotNull(await Host.TicketIn(Yinhe, inYinhe));
        Assert.NotNull(await Host.TicketIn(Gangqu, inGangqu));
        Assert.Null(await Host.TicketIn(Gangqu, inYinhe));
    }

    [Fact]
    public async Task copies_of_one_referral_arriving_at_once_raise_one_ticket_and_spend_one_number()
    {
        var subject = await Host.GivenSubjectIn(Gangqu);
        var referral = Referral("rsj-2020-0077", subject, Gangqu);

        // Each copy goes through the inbox handler and its inline invocation in the office; the losers of the race
        // collide on the stream id (or the counter row), are retried, and find the winner's ticket.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Host.MessageBus().InvokeAsync(referral)));
        await Host.MessageBus().InvokeAsync(Referral("rsj-2020-0078", subject, Gangqu));

        var first = (await Host.TicketIn(Gangqu, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0077", Gangqu)))!.Value;
        var next = (await Host.TicketIn(Gangqu, ProblemReferrals.TicketIdFor("rsj", "rsj-2020-0078", Gangqu)))!.Value;
        Assert.Equal(Sequence(first) + 1, Sequence(next));
        Assert.Equal(2, await Host.TicketCountIn(Gangqu));
    }

    [Fact]
    public async Task a_checkpoint_of_the_districts_one_log_names_the_office_the_log_is_named_after()
    {
        await Host.GivenTicketIn(Kashi);
        await Host.Services.GetRequiredService<TransparencyLogs>().Default.AppendLeavesAsync();

        var tracked = await Host.TrackActivity().Timeout(BureauScenarios.Timeout).InvokeMessageAndWaitAsync(new IssueCheckpoint(TicketLedger.Hosting.Office.MainDatabase));

        var published = tracked.Sent.MessagesOf<CheckpointPublished>().ToList();
        Assert.Equal(["jfj-gxc", "rsj", "scjgj", "zjj"], published.Select(p => p.Bureau).Order());
        Assert.All(published, p => Assert.Equal((Yinhe, "ticketledger/yinhe"), (p.Office, p.Origin)));

        // Asking for the latest checkpoint issues one first; an auditor of every office asks in none of them.
        await Host.GivenTicketIn(Gangqu);
        await Host.Scenario(x => { x.Get.Url("/api/audit/checkpoint"); x.WithKey(Keys.Auditor); x.StatusCodeShouldBe(200); });
    }
}
