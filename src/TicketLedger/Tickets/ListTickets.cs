using Microsoft.AspNetCore.Authorization;
using Marten;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

public static class ListTicketsEndpoint
{
    [WolverineGet("/api/tickets", OperationId = "ListTickets", Summary = "Tickets by status, category, department, subject and overdue, newest first")]
    [Tags("tickets"), Authorize(Policy = Policies.ReadTickets)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<TicketPage>(200)]
    public static async Task<IResult> Get(
        string? status, string? category, string? department, string? subjectId, string? overdue, string? page, string? pageSize,
        IQuerySession session, Office office, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        var query = new QueryValues();
        var filter = TicketFilter.From(query, status, category, department, subjectId, overdue, page, pageSize);
        if (query.Invalid) return query.Result();

        var now = clock.GetUtcNow();
        var (tickets, total) = await filter.Read(session, filter.Apply(session.Query<Ticket>(), context.User, now), ct);
        return Results.Ok(new TicketPage(tickets.Select(t => TicketResponse.From(t, office, now)).ToList(), filter.Page, filter.PageSize, total));
    }
}
