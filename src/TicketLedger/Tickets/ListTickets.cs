using Microsoft.AspNetCore.Authorization;
using Marten;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

public sealed record TicketPage(IReadOnlyList<TicketResponse> Items, int Page, int PageSize, long Total);

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
        var byStatus = query.Enum<TicketStatus>("status", status);
        var bySubject = query.Id("subjectId", subjectId);
        var byOverdue = query.Boolean("overdue", overdue);
        var byCategory = QueryValues.Text(category);
        var byDepartment = QueryValues.Text(department);
        var (pageNumber, size) = query.Paging(page, pageSize);
        if (query.Invalid) return query.Result();

        var now = clock.GetUtcNow();
        IQueryable<Ticket> tickets = session.Query<Ticket>();
        if (TicketAccess.ConfinedToBureau(context.User) is { } bureau) tickets = tickets.Where(t => t.Bureau == bureau);
        if (byStatus is { } s) tickets = tickets.Where(t => t.Status == s);
        if (byCategory is not null) tickets = tickets.Where(t => t.Category == byCategory);
        if (byDepartment is not null) tickets = tickets.Where(t => t.Department == byDepartment);
        if (bySubject is { } subject) tickets = tickets.Where(t => t.SubjectId == subject);
        if (byOverdue == true) tickets = tickets.Where(t => t.RespondedLate || (t.RespondedAt == null && t.DueBy < now));
        if (byOverdue == false) tickets = tickets.Where(t => !t.RespondedLate && (t.RespondedAt != null || t.DueBy >= now));

        // A separate count: count(*) over() on the page query would read and sort every matching view for each page.
        var total = await tickets.CountAsync(ct);
        // The page's ids first, the views second: skipping costs index entries, not view rows.
        var ids = await tickets.OrderByDescending(t => t.RaisedAt).ThenByDescending(t => t.Number).ThenByDescending(t => t.Id)
            .Skip((pageNumber - 1) * size).Take(size).Select(t => t.Id).ToListAsync(ct);
        var views = (await session.LoadManyAsync<Ticket>(ct, ids)).ToDictionary(v => v.Id);
        var items = ids.Where(views.ContainsKey).Select(id => TicketResponse.From(views[id], office, now)).ToList();
        return Results.Ok(new TicketPage(items, pageNumber, size, total));
    }
}
