using Marten;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>One event of a ticket's stream with everything an auditor asks about it: who, when recorded, when it happened, why.</summary>
public sealed record TicketHistoryEntry(
    long Sequence, long Version, string Type, DateTimeOffset RecordedAt, DateTimeOffset? OccurredAt,
    string? Actor, string? CorrelationId, string? CausationId, object Data);

public sealed record TicketHistory(Guid Id, IReadOnlyList<TicketHistoryEntry> Events);

public static class TicketHistoryEndpoint
{
    [WolverineGet("/api/tickets/{id}/history", OperationId = "GetTicketHistory"), Tags("tickets")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<TicketHistory>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, Office office, HttpContext context, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not TicketRaised
            || !TicketAccess.MaySee(context.User, TicketView.Fold(events)?.Bureau))
            return Results.Problem(TicketAccess.NotFound(id));

        return Results.Ok(new TicketHistory(id, events.Select(e => new TicketHistoryEntry(
            e.Sequence, e.Version, e.Data.GetType().Name, office.ToLocal(e.Timestamp),
            e.Data is IBusinessEvent b ? office.ToLocal(b.OccurredAt) : null,
            e.UserName, e.CorrelationId, e.CausationId, e.Data)).ToList()));
    }
}
