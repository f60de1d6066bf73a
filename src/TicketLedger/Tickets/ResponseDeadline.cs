using Wolverine;
using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

/// <summary>
/// The same-day timer: scheduled durably with the raise, delivered at the ticket's due-by, and deciding then whether
/// the enterprise was answered in time. A back-filled ticket whose day is already over is checked after
/// <see cref="BackfillGrace"/>, which leaves the clerk time to back-fill the reply from the same paper record.
/// The timer names its office: one scheduled before offices existed names none and belongs to `Ledger:Office`.
/// </summary>
public sealed record ResponseDeadline(Guid TicketId, DateTimeOffset DueBy, string? Office = null)
{
    public static readonly TimeSpan BackfillGrace = TimeSpan.FromHours(1);

    public static DeliveryMessage<ResponseDeadline> For(TicketRaised raised, DateTimeOffset now) =>
        new ResponseDeadline(raised.TicketId, raised.DueBy, raised.Office).ScheduledAt(raised.DueBy > now ? raised.DueBy : now + BackfillGrace);
}

public static class ResponseDeadlineHandler
{
    /// <summary>Delivered twice, the second delivery finds the miss already recorded and appends nothing.</summary>
    public static ResponseDeadlineMissed? Decide(Ticket ticket) =>
        ticket.DeadlineMissedAt is not null || ticket.RespondedAt is not null && !ticket.RespondedLate ? null : new ResponseDeadlineMissed(ticket.Id, ticket.DueBy);

    /// <summary>
    /// The session is opened for the timer's own office rather than the envelope's tenant: a timer scheduled by a
    /// single-office build carries no tenant, and Wolverine would open it on Marten's default tenant, where nothing lives.
    /// </summary>
    [WaitsForTicketView]
    public static async Task Handle(ResponseDeadline message, Envelope envelope, IDocumentStore store, Offices offices, CancellationToken ct)
    {
        await using var session = store.LightweightSession(message.Office ?? offices.Home);
        session.CorrelationId = envelope.CorrelationId;
        session.CausationId = envelope.Id.ToString();
        var stream = await session.Events.FetchForWriting<Ticket>(message.TicketId, ct);
        TicketViewRebuilding.ThrowIfRebuilding(stream);
        if (stream.Aggregate is not { } ticket || Decide(ticket) is not { } missed) return;
        stream.AppendOne(missed);
        await session.SaveChangesAsync(ct);
    }
}
