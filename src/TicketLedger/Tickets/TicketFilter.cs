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

    /// <summary>Tickets to read from one database, and how to load that database's views by id.</summary>
    public sealed record Source(IQueryable<Ticket> Tickets, Func<IReadOnlyList<Guid>, CancellationToken, Task<IReadOnlyList<Ticket>>> Load);

    /// <summary>The page, newest first, and how many match; <paramref name="load"/> reads the page's views by id.</summary>
    public Task<(IReadOnlyList<Ticket> Page, long Total)> Read(
        IQueryable<Ticket> tickets, Func<IReadOnlyList<Guid>, CancellationToken, Task<IReadOnlyList<Ticket>>> load, CancellationToken ct) =>
        Read([new Source(tickets, load)], ct);

    /// <summary>
    /// The page across databases: each gives its first <c>Page × PageSize</c> keys in the list's order, merged here,
    /// so the page is the same as if every ticket were in one table. One database reads only the page's keys.
    /// </summary>
    public async Task<(IReadOnlyList<Ticket> Page, long Total)> Read(IReadOnlyList<Source> sources, CancellationToken ct)
    {
        var total = 0L;
        var keys = new List<(Source Source, Guid Id, DateTimeOffset RaisedAt, string Number)>();
        foreach (var source in sources)
        {
            // A separate count: count(*) over() on the page query would read and sort every matching view for each page.
            total += await source.Tickets.CountAsync(ct);
            // The page's ids first, the views second: skipping costs index entries, not view rows.
            var ordered = source.Tickets.OrderByDescending(t => t.RaisedAt).ThenByDescending(t => t.Number).ThenByDescending(t => t.Id);
            var upToPage = sources.Count == 1 ? ordered.Skip((Page - 1) * PageSize).Take(PageSize) : ordered.Take(Page * PageSize);
            var read = await upToPage.Select(t => new { t.Id, t.RaisedAt, t.Number }).ToListAsync(ct);
            keys.AddRange(read.Select(k => (source, k.Id, k.RaisedAt, k.Number)));
        }
        var page = sources.Count == 1
            ? keys
            : keys.OrderByDescending(k => k.RaisedAt).ThenByDescending(k => k.Number, StringComparer.Ordinal).ThenByDescending(k => k.Id)
                .Skip((Page - 1) * PageSize).Take(PageSize).ToList();
        var views = new Dictionary<Guid, Ticket>();
        foreach (var group in page.GroupBy(k => k.Source))
        foreach (var view in await group.Key.Load(group.Select(k => k.Id).ToList(), ct))
            views[view.Id] = view;
        return (page.Where(k => views.ContainsKey(k.Id)).Select(k => views[k.Id]).ToList(), total);
    }
}
