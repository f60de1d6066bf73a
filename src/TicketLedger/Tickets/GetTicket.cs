using Microsoft.AspNetCore.Authorization;
using Marten;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>
/// The ticket now (the inline view), or as it stood: `version` (after that stream version), `asOf` (what had happened by
/// then, by business time) and `knownAt` (what had been recorded by then) replay the stream through the same fold.
/// </summary>
public static class GetTicketEndpoint
{
    [WolverineGet("/api/tickets/{id}", OperationId = "GetTicket", Summary = "A ticket now, or as it stood at a version, a business time (asOf) or a recording time (knownAt)")]
    [Tags("tickets"), Authorize(Policy = Policies.ReadTickets)]
    [ProducesResponseType<TicketResponse>(200), ProducesResponseType<ProblemDetails>(404)]
    public static async Task<IResult> Get(
        Guid id, string? version, string? asOf, string? knownAt,
        IQuerySession session, Office office, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        var query = new QueryValues();
        var atVersion = query.Integer("version", version, 1, int.MaxValue);
        var occurredBy = query.Timestamp("asOf", asOf);
        var recordedBy = query.Timestamp("knownAt", knownAt);
        if (query.Invalid) return query.Result();

        var current = await session.LoadAsync<Ticket>(id, ct);
        if (current is null || !TicketAccess.MaySee(context.User, current.Bureau)) return Results.Problem(TicketAccess.NotFound(id));

        var view = current;
        if (atVersion is not null || occurredBy is not null || recordedBy is not null)
        {
            var events = await session.Events.FetchStreamAsync(id, version: atVersion ?? 0, timestamp: recordedBy, token: ct);
            view = Ticket.Fold(events.Where(e => occurredBy is null || e.Data is not IBusinessEvent b || b.OccurredAt <= occurredBy));
            if (view is null) return Results.Problem(Problems.NotFound($"Ticket {id} did not exist at the requested point."));
        }

        context.Response.Headers.ETag = Preconditions.ETag(view.Version);
        var judgedAt = occurredBy ?? recordedBy ?? clock.GetUtcNow();
        return Results.Ok(TicketResponse.From(view, office, judgedAt));
    }
}
