using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Subjects;

public sealed record SubjectPage(IReadOnlyList<SubjectView> Items, int Page, int PageSize, long Total);

public static class ListSubjectsEndpoint
{
    [WolverineGet("/api/subjects", OperationId = "ListSubjects", Summary = "Subjects by kind and scale, by name, a page at a time")]
    [Tags("subjects"), Authorize(Policy = Policies.Read)]
    [ProducesResponseType<SubjectPage>(StatusCodes.Status200OK)]
    public static async Task<IResult> List(
        string? kind, string? scale, string? creditCode, string? page, string? pageSize, IQuerySession session, CancellationToken cancellation)
    {
        var query = new QueryValues();
        var byKind = query.Enum<SubjectKind>("kind", kind);
        var byScale = query.Enum<EnterpriseScale>("scale", scale);
        var byCreditCode = QueryValues.Text(creditCode) is { } code ? SocialCreditCode.Normalize(code) : null;
        var (pageNumber, size) = query.Paging(page, pageSize);
        if (query.Invalid) return query.Result();

        IQueryable<SubjectView> subjects = session.Query<SubjectView>();
        if (byKind is { } k) subjects = subjects.Where(s => s.Kind == k);
        if (byScale is { } sc) subjects = subjects.Where(s => s.Scale == sc);
        if (byCreditCode is not null) subjects = subjects.Where(s => s.CreditCode == byCreditCode);
        // Counted apart: a window count over the page's rows is 0 for a page past the end, not the number of matches.
        var total = await subjects.CountAsync(cancellation);
        var items = await subjects.OrderBy(s => s.Name).ThenBy(s => s.Id)
            .Skip((pageNumber - 1) * size).Take(size).ToListAsync(cancellation);
        return Results.Ok(new SubjectPage(items, pageNumber, size, total));
    }
}
