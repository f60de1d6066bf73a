using CsCheck;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Tickets;
using static TicketLedger.Tests.Tickets.TicketFold;

namespace TicketLedger.Tests.Tickets;

/// <summary>
/// Any sequence of commands keeps the aggregate equal to a tiny, separately written model of the lifecycle, and a
/// refused command decides nothing.
/// </summary>
public sealed class random_command_sequences
{
    private static readonly string[] Departments = ["xmb", "hbb", "djb", "jfb"];
    private static readonly string[] Bureaus = ["jfj-gxc", "rsj", "zjj", "scjgj"];

    private sealed record Command(int Kind, int Pick, bool Flag);

    private sealed record Model(TicketStatus Status, string? Department, string? Bureau, bool Responded, int Events);

    private static readonly Gen<Command> Commands = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 3], Gen.Bool, (k, p, f) => new Command(k, p, f));

    [Fact]
    public void the_aggregate_follows_the_model_and_refusals_append_nothing()
    {
        Commands.Array[0, 40].Sample(commands =>
        {
            var ticket = Raised();
            var model = new Model(TicketStatus.Open, null, null, false, 1);
            var now = RaisedAt.AddHours(1);
            foreach (var command in commands)
            {
                var (check, decide) = Run(command, ticket, now);
                var expected = Expect(model, command);
                if (!check.Allowed())
                {
                    Assert.Null(expected);
                    Assert.Equal(409, check.Status);
                    continue;
                }
                Assert.NotNull(expected);
                var events = decide();
                Assert.NotEmpty(events);
                ticket.Apply(events);
                model = expected with { Events = model.Events + events.Count };
                Assert.Equal(model, new Model(ticket.Status, ticket.Department, ticket.Bureau, ticket.RespondedAt is not null, (int)ticket.Version));
            }
        }, iter: 3000);
    }

    private static (ProblemDetails, Func<IReadOnlyList<object>>) Run(Command c, Ticket t, DateTimeOffset now) => c.Kind switch
    {
        0 => (AssignTicketEndpoint.Check(new AssignTicket(Departments[c.Pick]), t), () => [AssignTicketEndpoint.Decide(new AssignTicket(Departments[c.Pick]), t, now)]),
        1 => (RespondToTicketEndpoint.Check(new RespondToTicket("m"), t), () => [RespondToTicketEndpoint.Decide(new RespondToTicket("m"), t, now)]),
        2 => (EscalateTicketEndpoint.Check(new EscalateTicket(Bureaus[c.Pick], "r"), t), () => [EscalateTicketEndpoint.Decide(new EscalateTicket(Bureaus[c.Pick], "r"), t, now)]),
        3 => (RecordBureauReplyEndpoint.Check(new RecordBureauReply(Bureaus[c.Pick], "m"), t), () => [RecordBureauReplyEndpoint.Decide(new RecordBureauReply(Bureaus[c.Pick], "m"), t, null, now)]),
        4 => (ResolveTicketEndpoint.Check(new ResolveTicket("r"), t), () => [ResolveTicketEndpoint.Decide(new ResolveTicket("r"), t, now)]),
        5 => (ReopenTicketEndpoint.Check(new ReopenTicket("r"), t), () => [ReopenTicketEndpoint.Decide(new ReopenTicket("r"), t, now)]),
        _ => (RecordReturnVisitEndpoint.Check(new RecordReturnVisit(c.Flag, c.Flag, null), t), () => RecordReturnVisitEndpoint.Decide(new RecordReturnVisit(c.Flag, c.Flag, null), t, now)),
    };

    /// <summary>The lifecycle of docs/ticket-lifecycle.md, written out plainly: the state after the command, or null when refused.</summary>
    private static Model? Expect(Model m, Command c)
    {
        var unresolved = m.Status != TicketStatus.Resolved;
        var reopened = m with { Status = m.Department is null ? TicketStatus.Open : TicketStatus.Assigned };
        return c.Kind switch
        {
            0 when m.Status == TicketStatus.Open || (m.Status == TicketStatus.Assigned && m.Department != Departments[c.Pick]) =>
                m with { Status = TicketStatus.Assigned, Department = Departments[c.Pick] },
            1 when unresolved => m with { Responded = true },
            2 when m.Status is TicketStatus.Open or TicketStatus.Assigned => m with { Status = TicketStatus.Escalated, Bureau = Bureaus[c.Pick] },
            3 when unresolved && m.Bureau == Bureaus[c.Pick] => m,
            4 when m.Status is TicketStatus.Assigned or TicketStatus.Escalated => m with { Status = TicketStatus.Resolved, Responded = true },
            5 when !unresolved => reopened,
            6 when !unresolved => c.Flag ? m : reopened,
            _ => null,
        };
    }
}
