using Wolverine;
using Wolverine.Marten;

namespace TicketLedger.Tickets;

/// <summary>
/// The same-day timer: scheduled durably with the raise, delivered at the ticket's due-by, and deciding then whether
/// the enterprise was answered in time. A back-filled ticket whose day is already over is checked after
/// <see cref="BackfillGrace"/>, which leaves the clerk time to back-fill the reply from the same paper record.
/// </summary>
public sealed record ResponseDeadline(Guid TicketId, DateTimeOffset DueBy)
{
    public static readonly TimeSpan BackfillGrace = TimeSpan.FromHours(1);

    public static DeliveryMessage<ResponseDeadline> For(TicketRaised raised, DateTimeOffset now) =>
        new ResponseDeadline(raised.TicketId, raised.DueBy).ScheduledAt(raised.DueBy > now ? raised.DueBy : now + BackfillGrace);
}

public static class ResponseDeadlineHandler
{
    /// <summary>Delivered twice, the second delivery finds the miss already recorded and appends nothing.</summary>
    public static ResponseDeadlineMissed? Decide(Ticket ticket) =>
        ticket.DeadlineMissedAt is not null || ticket.RespondedAt is not null && !ticket.RespondedLate ? null : new ResponseDeadlineMissed(ticket.Id, ticket.DueBy);

    public static Events Handle(ResponseDeadline message, [WriteAggregate(nameof(ResponseDeadline.TicketId))] Ticket ticket) =>
        Decide(ticket) is { } missed ? [missed] : [];
}
