using Marten;
using TicketLedger.Subjects;
using TicketLedger.Tickets;
using Wolverine;

namespace TicketLedger.Bureaus;

/// <summary>The bureaus' messages of a ticket's escalation and resolution: no event without its message, nor the reverse.</summary>
public sealed class BureauNotices : ITicketNotices
{
    public async Task<OutgoingMessages> EscalatedAsync(IQuerySession session, Ticket ticket, TicketEscalated escalated, CancellationToken ct)
    {
        var subject = await session.LoadAsync<SubjectView>(ticket.SubjectId, ct);
        return [Escalated(escalated, ticket, subject?.Name, session.CorrelationId)];
    }

    public static RoutedToEndpointMessage<TicketEscalatedToBureau> Escalated(
        TicketEscalated escalated, Ticket ticket, string? subjectName, string? correlationId) =>
        new TicketEscalatedToBureau(ticket.Id, ticket.Number, ticket.Office, escalated.Bureau, escalated.Reason, ticket.SubjectId,
                subjectName, ticket.Category, ticket.Title, ticket.Description, ticket.RaisedAt, escalated.OccurredAt, correlationId)
            .ToEndpoint(BureauMessaging.QueueFor(escalated.Bureau));

    /// <summary>
    /// The bureau the ticket was escalated to and the bureau that referred it hear of its resolution; a ticket raised
    /// and solved inside the office concerns no bureau, and its resolve costs no extra read.
    /// </summary>
    public async Task<OutgoingMessages> ResolvedAsync(IQuerySession session, Ticket ticket, TicketResolved resolved, CancellationToken ct)
    {
        var referred = ticket.Source == TicketSource.BureauReferral;
        if (ticket.Bureau is null && !referred) return [];
        var referrer = referred ? (await session.LoadAsync<BureauReferral>(ticket.Id, ct))?.Bureau : null;
        return [.. new[] { ticket.Bureau, referrer }.OfType<string>().Distinct().Select(bureau =>
            new TicketResolvedNotice(ticket.Id, ticket.Number, ticket.Office, bureau, resolved.Resolution, resolved.OccurredAt, session.CorrelationId)
                .ToEndpoint(BureauMessaging.QueueFor(bureau)))];
    }
}
