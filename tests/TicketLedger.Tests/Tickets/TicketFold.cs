using Microsoft.AspNetCore.Mvc;
using TicketLedger.Tickets;
using Wolverine.Http;

namespace TicketLedger.Tests.Tickets;

/// <summary>Builds <see cref="Ticket"/> in memory from events, as Marten does from the stream, for the deciding-function tests.</summary>
public static class TicketFold
{
    public static readonly DateTimeOffset RaisedAt = new(2020, 2, 20, 1, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset DueBy = new(2020, 2, 20, 16, 0, 0, TimeSpan.Zero);

    public static Ticket Raised(Guid? id = null)
    {
        var ticketId = id ?? Guid.NewGuid();
        var ticket = Ticket.Create(new TicketRaised(ticketId, "yinhe", "2020-0001", Guid.NewGuid(), "supplies", "t", "d", TicketSource.Visit, RaisedAt, DueBy));
        ticket.Version = 1;
        return ticket;
    }

    public static Ticket Apply(this Ticket ticket, IEnumerable<object> events)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case TicketAssigned x: ticket.Apply(x); break;
                case TicketResponded x: ticket.Apply(x); break;
                case TicketEscalated x: ticket.Apply(x); break;
                case TicketResolved x: ticket.Apply(x); break;
                case TicketReopened x: ticket.Apply(x); break;
                case ResponseDeadlineMissed x: ticket.Apply(x); break;
            }
            ticket.Version++;
        }
        return ticket;
    }

    public static Ticket In(TicketStatus status, string? bureau = "jfj-gxc")
    {
        var ticket = Raised();
        var at = RaisedAt.AddMinutes(1);
        return status switch
        {
            TicketStatus.Open => ticket,
            TicketStatus.Assigned => ticket.Apply([new TicketAssigned(ticket.Id, "xmb", at)]),
            TicketStatus.Escalated => ticket.Apply([new TicketEscalated(ticket.Id, bureau!, "r", at)]),
            TicketStatus.Resolved => ticket.Apply([new TicketAssigned(ticket.Id, "xmb", at), new TicketResolved(ticket.Id, "done", at)]),
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
    }

    public static bool Allowed(this ProblemDetails problem) => ReferenceEquals(problem, WolverineContinue.NoProblems);
}
