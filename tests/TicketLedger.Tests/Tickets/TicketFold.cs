using JasperFx.Events;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Tickets;
using Wolverine.Http;

namespace TicketLedger.Tests.Tickets;

/// <summary>
/// Builds the <see cref="Ticket"/> the commands decide on in memory, through the same fold the inline projection
/// runs on every append, for the deciding-function tests.
/// </summary>
public static class TicketFold
{
    public static readonly DateTimeOffset RaisedAt = new(2020, 2, 20, 1, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset DueBy = new(2020, 2, 20, 16, 0, 0, TimeSpan.Zero);

    public static Ticket Raised(Guid? id = null) =>
        Ticket.Advance(null, Recorded(new TicketRaised(id ?? Guid.NewGuid(), "yinhe", "2020-0001", Guid.NewGuid(), "supplies", "t", "d",
            TicketSource.Visit, RaisedAt, DueBy), 1))!;

    /// <summary>Folds in place, as the projection does, and returns the same view for chaining.</summary>
    public static Ticket Apply(this Ticket ticket, IEnumerable<object> events)
    {
        foreach (var e in events) Ticket.Advance(ticket, Recorded(e, ticket.Version + 1));
        return ticket;
    }

    private static IEvent Recorded(object data, long version)
    {
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        e.Version = version;
        e.Timestamp = RaisedAt;
        return e;
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
