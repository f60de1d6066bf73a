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

    /// <summary>Tickets to read from one office, and how to load that office's views by id.</summary>
    public sealed record Source(IQueryable<Ticket> Tickets, Func<IReadOnlyList<Guid>, CancellationToken, Task<IReadOnlyList<Ticket>>> Load);

    /// <summary>The page, newest first, and how many match; <paramref name="load"/> reads the page's views by id.</summary>
    public Task<(IReadOnlyList<Ticket> Page, long Total)> Read(
        IQueryable<Ticket> tickets, Func<IReadOnlyList<Guid>, CancellationToken, Task<IReadOnlyList<Ticket>>> load, CancellationToken ct) =>
        Read([new Source(tickets, load)], ct);

    /// <summary>
    /// The page across offices: each gives its first <c>Page × PageSize</c> keys in the list's order, merged here,
    /// so the page is the same as if every ticket were in one table. One office reads only the page's keys.
    /// </summary>
    public async Task<(IReadOnlyList<Ticket> Page, long Total)> Read(IReadOnlyList<Source> sources, CancellationToken ct)
    {
        // Each source has a session of its own, so they are read side by side: a district's list costs the slowest
        // office's round trips, not their sum.
        var perSource = await Task.WhenAll(sources.Select(async source =>
        {
            // A separate count: count(*) over() on the page query would read and sort every matching view for each page.
            var count = await source.Tickets.CountAsync(ct);
            // The page's ids first, the views second: skipping costs index entries, not view rows.
            var ordered = source.Tickets.OrderByDescending(t => t.RaisedAt).ThenByDescending(t => t.Number).ThenByDescending(t => t.Id);
            var upToPage = sources.Count == 1 ? ordered.Skip((Page - 1) * PageSize).Take(PageSize) : ordered.Take(Page * PageSize);
            var read = await upToPage.Select(t => new { t.Id, t.RaisedAt, t.Number }).ToListAsync(ct);
            return (Count: count, Keys: read.Select(k => (Source: source, k.Id, k.RaisedAt, k.Number)).ToList());
        }));
        var keys = perSource.SelectMany(s => s.Keys);
        var page = sources.Count == 1
            ? keys.ToList()
            : keys.OrderByDescending(k => k.RaisedAt).ThenByDescending(k => k.Number, StringComparer.Ordinal).ThenByDescending(k => k.Id)
                .Skip((Page - 1) * PageSize).Take(PageSize).ToList();
        var loaded = await Task.WhenAll(page.GroupBy(k => k.Source).Select(group => group.Key.Load(group.Select(k => k.Id).ToList(), ct)));
        var views = loaded.SelectMany(v => v).ToDictionary(v => v.Id);
        return (page.Where(k => views.ContainsKey(k.Id)).Select(k => views[k.Id]).ToList(), perSource.Sum(s => (long)s.Count));
    }
}
