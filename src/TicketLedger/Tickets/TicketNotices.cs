using Marten;
using Wolverine;

namespace TicketLedger.Tickets;

/// <summary>
/// Who outside the office hears of a ticket's escalation and resolution. The endpoint returns these messages beside its
/// events, so Wolverine's Marten outbox commits them in the same transaction as the append. The Bureaus area answers
/// it; Tickets names only this port, so the dependency runs from Bureaus to Tickets and not back.
/// </summary>
public interface ITicketNotices
{
    Task<OutgoingMessages> EscalatedAsync(IQuerySession session, Ticket ticket, TicketEscalated escalated, CancellationToken ct);

    Task<OutgoingMessages> ResolvedAsync(IQuerySession session, Ticket ticket, TicketResolved resolved, CancellationToken ct);
}
