using Marten;
using Marten.Pagination;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

public sealed record TicketPage(IReadOnlyList<TicketResponse> Items, int Page, int PageSize, long Total);

public static class ListTicketsEndpoint
{
    public const int MaxPageSize = 200;
    /// <summary>Keeps (page - 1) × pageSize within the range of an offset; deeper than ten million views is not a page anyone reads.</summary>
    public const int MaxPage = 50_000;

    [WolverineGet("/api/tickets", OperationId = "ListTickets"), Tags("tickets")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<TicketPage>(200)]
    public static async Task<IResult> Get(
        string? status, string? category, string? department, string? subjectId, string? overdue, string? page, string? pageSize,
        IQuerySession session, Office office, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        var errors = new QueryErrors();
        var byStatus = errors.Status("status", status);
        var bySubject = errors.Id("subjectId", subjectId);
        var byOverdue = errors.Boolean("overdue", overdue);
        var pageNumber = errors.Integer("page", page, 1, MaxPage) ?? 1;
        var size = errors.Integer("pageSize", pageSize, 1, MaxPageSize) ?? 20;
        if (errors.Any) return errors.Result();

        var now = clock.GetUtcNow();
        IQueryable<TicketView> query = session.Query<TicketView>();
        if (TicketAccess.ConfinedToBureau(context.User) is { } bureau) query = query.Where(t => t.Bureau == bureau);
        if (byStatus is { } s) query = query.Where(t => t.Status == s);
        if (!string.IsNullOrWhiteSpace(category)) query = query.Where(t => t.Category == category);
        if (!string.IsNullOrWhiteSpace(department)) query = query.Where(t => t.Department == department);
        if (bySubject is { } subject) query = query.Where(t => t.SubjectId == subject);
        if (byOverdue == true) query = query.Where(t => t.RespondedLate || (t.RespondedAt == null && t.DueBy < now));
        if (byOverdue == false) query = query.Where(t => !t.RespondedLate && (t.RespondedAt != null || t.DueBy >= now));

        // A separate count: count(*) over() on the page query would read and sort every matching view for each page.
        var total = await query.CountAsync(ct);
        // The page's ids first, the views second: skipping costs index entries, not view rows.
        var ids = await query.OrderByDescending(t => t.RaisedAt).ThenByDescending(t => t.Number).ThenByDescending(t => t.Id)
            .Skip((pageNumber - 1) * size).Take(size).Select(t => t.Id).ToListAsync(ct);
        var views = (await session.LoadManyAsync<TicketView>(ct, ids)).ToDictionary(v => v.Id);
        var items = ids.Where(views.ContainsKey).Select(id => TicketResponse.From(views[id], office, now)).ToList();
        return Results.Ok(new TicketPage(items, pageNumber, size, total));
    }
}
