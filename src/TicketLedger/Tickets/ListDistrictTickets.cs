using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Marten;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>
/// The tickets of every office the key may use, or of one of them (`office=`), filtered and paged as an office's own
/// list, newest first, each with its office and its times on that office's clock (docs/ledger.md, "The district"), from
/// every database those offices live in (docs/nodes.md).
/// </summary>
public static class ListDistrictTicketsEndpoint
{
    /// <summary>
    /// An office the key may not use is a 403 whether or not it exists, as for X-Office: a key learns nothing of the
    /// offices beyond its own.
    /// </summary>
    public static ProblemDetails Validate(string? office, ClaimsPrincipal user, Offices offices)
    {
        var refused = DistrictAccess.Problem(user, offices);
        if (!ReferenceEquals(refused, WolverineContinue.NoProblems)) return refused;
        var allowed = DistrictAccess.OfficesOf(user, offices);
        if (QueryValues.Text(office) is { } code && allowed.All(o => o.Code != code))
            return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                $"office '{code}' is not an office this key may use ({string.Join(", ", allowed.Select(o => o.Code))}).");
        return WolverineContinue.NoProblems;
    }

    [NotTenanted]
    [WolverineGet("/api/district/tickets", OperationId = "ListDistrictTickets", Summary = "Tickets of the offices the key may use (office narrows to one), filtered as /api/tickets, newest first")]
    [Tags("district"), Authorize(Policy = Policies.ReadTickets)]
    [ProducesResponseType<TicketPage>(200)]
    public static async Task<IResult> Get(
        string? office, string? status, string? category, string? department, string? subjectId, string? overdue, string? page, string? pageSize,
        IDocumentStore store, OfficeDatabases databases, Offices offices, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        var query = new QueryValues();
        var filter = TicketFilter.From(query, status, category, department, subjectId, overdue, page, pageSize);
        if (query.Invalid) return query.Result();

        var named = QueryValues.Text(office);
        var chosen = DistrictAccess.OfficesOf(context.User, offices).Where(o => named is null || o.Code == named).ToList();
        var now = clock.GetUtcNow();
        var sources = new List<TicketFilter.Source>();
        var sessions = new List<IQuerySession>();
        try
        {
            foreach (var (_, inDatabase) in databases.Group(chosen))
            {
                // Ticket views are tenanted: naming the tenants is what lets one query read several offices of a
                // database, and only these; a session of one of them opens on their database.
                var codes = inDatabase.Select(o => o.Code).ToArray();
                var session = store.QuerySession(codes[0]);
                sessions.Add(session);
                sources.Add(new TicketFilter.Source(
                    filter.Apply(session.Query<Ticket>().Where(t => t.TenantIsOneOf(codes)), context.User, now),
                    async (ids, token) =>
                    {
                        var page = ids.ToArray();
                        return await session.Query<Ticket>().Where(t => t.TenantIsOneOf(codes) && page.Contains(t.Id)).ToListAsync(token);
                    }));
            }
            var (tickets, total) = await filter.Read(sources, ct);
            var items = tickets.Select(t => TicketResponse.From(t, offices.ClockOf(t.Office), now)).ToList();
            return Results.Ok(new TicketPage(items, filter.Page, filter.PageSize, total));
        }
        finally
        {
            foreach (var session in sessions) await session.DisposeAsync();
        }
    }
}
