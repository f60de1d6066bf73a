using System.Security.Claims;
using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

public sealed record TicketPage(IReadOnlyList<TicketResponse> Items, int Page, int PageSize, long Total);

/// <summary>
/// What a ticket list asks for (status, category, department, subject, overdue, page), parsed by the one query-string
/// convention, and how it reads a page: an office's list and the district's list filter and page the same way.
/// </summary>
public sealed record TicketFilter(
    TicketStatus? Status, string? Category, string? Department, Guid? SubjectId, bool? Overdue, int Page, int PageSize)
{
    public static TicketFilter From(
        QueryValues query, string? status, string? category, string? department, string? subjectId, string? overdue, string? page, string? pageSize)
    {
        var byStatus = query.Enum<TicketStatus>("status", status);
        var bySubject = query.Id("subjectId", subjectId);
        var byOverdue = query.Boolean("overdue", overdue);
        var (pageNumber, size) = query.Paging(page, pageSize);
        return new TicketFilter(byStatus, QueryValues.Text(category), QueryValues.Text(department), bySubject, byOverdue, pageNumber, size);
    }

    /// <summary>The filters, and a bureau key's confinement to the tickets escalated to its bureau.</summary>
    public IQueryable<Ticket> Apply(IQueryable<Ticket> tickets, ClaimsPrincipal user, DateTimeOffset now)
    {
        if (TicketAccess.ConfinedToBureau(user) is { } bureau) tickets = tickets.Where(t => t.Bureau == bureau);
        if (Status is { } s) tickets = tickets.Where(t => t.Status == s);
        if (Category is { } category) tickets = tickets.Where(t => t.Category == category);
        if (Department is { } department) tickets = tickets.Where(t => t.Department == department);
        if (SubjectId is { } subject) tickets = tickets.Where(t => t.SubjectId == subject);
        if (Overdue == true) tickets = tickets.Where(t => t.RespondedLate || (t.RespondedAt == null && t.DueBy < now));
        if (Overdue == false) tickets = tickets.Where(t => !t.RespondedLate && (t.RespondedAt != null || t.DueBy >= now));
        return tickets;
    }

    /// <summary>The page, newest first, and how many match; <paramref name="load"/> reads the page's views by id.</summary>
    public async Task<(IReadOnlyList<Ticket> Page, long Total)> Read(
        IQueryable<Ticket> tickets, Func<IReadOnlyList<Guid>, CancellationToken, Task<IReadOnlyList<Ticket>>> load, CancellationToken ct)
    {
        // A separate count: count(*) over() on the page query would read and sort every matching view for each page.
        var total = await tickets.CountAsync(ct);
        // The page's ids first, the views second: skipping costs index entries, not view rows.
        var ids = await tickets.OrderByDescending(t => t.RaisedAt).ThenByDescending(t => t.Number).ThenByDescending(t => t.Id)
            .Skip((Page - 1) * PageSize).Take(PageSize).Select(t => t.Id).ToListAsync(ct);
        var views = (await load(ids, ct)).ToDictionary(v => v.Id);
        return (ids.Where(views.ContainsKey).Select(id => views[id]).ToList(), total);
    }
}
