using TicketLedger.Tickets;
using static TicketLedger.Tests.Tickets.TicketFold;

namespace TicketLedger.Tests.Tickets;

public sealed class deciding_ticket_commands
{
    private static readonly DateTimeOffset Now = RaisedAt.AddHours(2);

    [Theory]
    [InlineData(TicketStatus.Open, true)]
    [InlineData(TicketStatus.Assigned, true)]
    [InlineData(TicketStatus.Escalated, false)]
    [InlineData(TicketStatus.Resolved, false)]
    public void assigning_depends_on_the_state(TicketStatus status, bool allowed)
    {
        var ticket = In(status);
        Assert.Equal(allowed, AssignTicketEndpoint.Check(new AssignTicket("jfb"), ticket).Allowed());
        if (!allowed) Assert.Equal(409, AssignTicketEndpoint.Check(new AssignTicket("jfb"), ticket).Status);
    }

    [Fact]
    public void assigning_to_the_department_that_has_it_is_refused()
    {
        var problem = AssignTicketEndpoint.Check(new AssignTicket("xmb"), In(TicketStatus.Assigned));
        Assert.Equal(409, problem.Status);
        Assert.Contains("assigned", problem.Detail);
    }

    [Fact]
    public void assigning_records_the_department_at_the_business_time()
    {
        var ticket = In(TicketStatus.Open);
        var at = RaisedAt.AddMinutes(30);
        Assert.Equal(new TicketAssigned(ticket.Id, "jfb", at), AssignTicketEndpoint.Decide(new AssignTicket("jfb", at), ticket, Now));
        Assert.Equal(Now, AssignTicketEndpoint.Decide(new AssignTicket("jfb"), ticket, Now).OccurredAt);
        Assert.Equal(TicketStatus.Assigned, ticket.Apply([AssignTicketEndpoint.Decide(new AssignTicket("jfb"), ticket, Now)]).Status);
    }

    [Theory]
    [InlineData(TicketStatus.Open, true)]
    [InlineData(TicketStatus.Assigned, true)]
    [InlineData(TicketStatus.Escalated, true)]
    [InlineData(TicketStatus.Resolved, false)]
    public void responding_is_allowed_until_resolved(TicketStatus status, bool allowed) =>
        Assert.Equal(allowed, RespondToTicketEndpoint.Check(new RespondToTicket("m"), In(status)).Allowed());

    [Fact]
    public void the_first_response_sets_the_responded_time()
    {
        var ticket = In(TicketStatus.Open);
        ticket.Apply([RespondToTicketEndpoint.Decide(new RespondToTicket("m", RaisedAt.AddHours(1)), ticket, Now)]);
        ticket.Apply([RespondToTicketEndpoint.Decide(new RespondToTicket("again", RaisedAt.AddHours(3)), ticket, Now)]);
        Assert.Equal(RaisedAt.AddHours(1), ticket.RespondedAt);
        Assert.False(ticket.RespondedLate);
    }

    [Theory]
    [InlineData(TicketStatus.Open, true)]
    [InlineData(TicketStatus.Assigned, true)]
    [InlineData(TicketStatus.Escalated, false)]
    [InlineData(TicketStatus.Resolved, false)]
    public void escalating_is_allowed_from_open_or_assigned(TicketStatus status, bool allowed) =>
        Assert.Equal(allowed, EscalateTicketEndpoint.Check(new EscalateTicket("rsj", "r"), In(status)).Allowed());

    [Fact]
    public void escalating_hands_the_ticket_to_the_bureau()
    {
        var ticket = In(TicketStatus.Assigned);
        ticket.Apply([EscalateTicketEndpoint.Decide(new EscalateTicket("rsj", "需协调"), ticket, Now)]);
        Assert.Equal((TicketStatus.Escalated, "rsj", "xmb"), (ticket.Status, ticket.Bureau, ticket.Department));
    }

    [Theory]
    [InlineData(TicketStatus.Open, false)]
    [InlineData(TicketStatus.Assigned, true)]
    [InlineData(TicketStatus.Escalated, true)]
    [InlineData(TicketStatus.Resolved, false)]
    public void resolving_needs_an_owner_and_an_unresolved_ticket(TicketStatus status, bool allowed) =>
        Assert.Equal(allowed, ResolveTicketEndpoint.Check(new ResolveTicket("r"), In(status)).Allowed());

    [Fact]
    public void a_resolution_counts_as_the_response_when_none_came_before()
    {
        var ticket = In(TicketStatus.Assigned);
        ticket.Apply([ResolveTicketEndpoint.Decide(new ResolveTicket("done", RaisedAt.AddHours(5)), ticket, Now)]);
        Assert.Equal(RaisedAt.AddHours(5), ticket.RespondedAt);
        Assert.Equal(TicketStatus.Resolved, ticket.Status);
    }

    [Theory]
    [InlineData(TicketStatus.Open, false)]
    [InlineData(TicketStatus.Assigned, false)]
    [InlineData(TicketStatus.Escalated, false)]
    [InlineData(TicketStatus.Resolved, true)]
    public void only_a_resolved_ticket_can_be_reopened_or_visited(TicketStatus status, bool allowed)
    {
        Assert.Equal(allowed, ReopenTicketEndpoint.Check(new ReopenTicket("r"), In(status)).Allowed());
        Assert.Equal(allowed, RecordReturnVisitEndpoint.Check(new RecordReturnVisit(true, true, null), In(status)).Allowed());
    }

    [Fact]
    public void reopening_returns_to_the_department_or_to_open_without_one()
    {
        var assigned = In(TicketStatus.Resolved);
        assigned.Apply([ReopenTicketEndpoint.Decide(new ReopenTicket("again"), assigned, Now)]);
        Assert.Equal(TicketStatus.Assigned, assigned.Status);

        var escalated = In(TicketStatus.Escalated);
        escalated.Apply([ResolveTicketEndpoint.Decide(new ResolveTicket("done"), escalated, Now)]);
        escalated.Apply([ReopenTicketEndpoint.Decide(new ReopenTicket("again"), escalated, Now)]);
        Assert.Equal(TicketStatus.Open, escalated.Status);
    }

    [Fact]
    public void an_unconfirmed_return_visit_also_reopens()
    {
        var ticket = In(TicketStatus.Resolved);
        var events = RecordReturnVisitEndpoint.Decide(new RecordReturnVisit(false, false, "仍缺"), ticket, Now);
        Assert.Collection(events, e => Assert.IsType<ReturnVisitRecorded>(e), e => Assert.Contains("仍缺", Assert.IsType<TicketReopened>(e).Reason));
        Assert.Single(RecordReturnVisitEndpoint.Decide(new RecordReturnVisit(true, false, null), ticket, Now));
    }

    [Fact]
    public void a_bureau_reply_needs_that_bureau_and_an_unresolved_ticket()
    {
        Assert.True(RecordBureauReplyEndpoint.Check(new RecordBureauReply("jfj-gxc", "m"), In(TicketStatus.Escalated)).Allowed());
        Assert.Equal(409, RecordBureauReplyEndpoint.Check(new RecordBureauReply("rsj", "m"), In(TicketStatus.Escalated)).Status);
        Assert.Equal(409, RecordBureauReplyEndpoint.Check(new RecordBureauReply("jfj-gxc", "m"), In(TicketStatus.Open)).Status);
        var resolved = In(TicketStatus.Escalated);
        resolved.Apply([new TicketResolved(resolved.Id, "done", Now)]);
        Assert.Equal(409, RecordBureauReplyEndpoint.Check(new RecordBureauReply("jfj-gxc", "m"), resolved).Status);
    }

    [Fact]
    public void nothing_may_be_recorded_before_the_raise()
    {
        var problem = RespondToTicketEndpoint.Check(new RespondToTicket("m", RaisedAt.AddSeconds(-1)), In(TicketStatus.Open));
        Assert.Equal(400, problem.Status);
        Assert.True(RespondToTicketEndpoint.Check(new RespondToTicket("m", RaisedAt), In(TicketStatus.Open)).Allowed());
    }

    [Fact]
    public void the_deadline_is_missed_only_without_a_timely_answer_and_only_once()
    {
        var unanswered = In(TicketStatus.Assigned);
        var missed = ResponseDeadlineHandler.Decide(unanswered);
        Assert.Equal(new ResponseDeadlineMissed(unanswered.Id, DueBy), missed);
        unanswered.Apply([missed!]);
        Assert.Null(ResponseDeadlineHandler.Decide(unanswered));

        var answered = In(TicketStatus.Open).Apply([new TicketResponded(Guid.Empty, "m", DueBy)]);
        Assert.Null(ResponseDeadlineHandler.Decide(answered));
        var late = In(TicketStatus.Open).Apply([new TicketResponded(Guid.Empty, "m", DueBy.AddTicks(1))]);
        Assert.NotNull(ResponseDeadlineHandler.Decide(late));
    }

    [Fact]
    public void a_raise_is_due_by_the_end_of_its_local_day()
    {
        var office = TicketLedger.Hosting.Offices.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).Get("yinhe");
        var raisedAt = new DateTimeOffset(2020, 2, 20, 23, 59, 0, TimeSpan.FromHours(8));
        var raised = RaiseTicketEndpoint.Decide(new RaiseTicket(Guid.NewGuid(), "supplies", " 口罩 ", "d", TicketSource.Hotline, raisedAt), Guid.NewGuid(), "2020-0007", office, Now);
        Assert.Equal(new DateTimeOffset(2020, 2, 20, 16, 0, 0, TimeSpan.Zero), raised.DueBy);
        Assert.Equal(raisedAt, raised.OccurredAt);
        Assert.Equal(TimeSpan.Zero, raised.OccurredAt.Offset);
        Assert.Equal("口罩", raised.Title);
    }
}
