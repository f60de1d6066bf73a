using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Marten;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>
/// The tickets of every office the key may use, or of one of them (`office=`), filtered and paged as an office's own
/// list, newest first, each with its office and its times on that office's clock (docs/ledger.md, "The district").
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
        IQuerySession session, Offices offices, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        var query = new QueryValues();
        var filter = TicketFilter.From(query, status, category, department, subjectId, overdue, page, pageSize);
        if (query.Invalid) return query.Result();

        var named = QueryValues.Text(office);
        var codes = DistrictAccess.OfficesOf(context.User, offices).Select(o => o.Code).Where(code => named is null || code == named).ToArray();
        var now = clock.GetUtcNow();
        // Ticket views are tenanted: naming the tenants is what lets this one query read several offices, and only these.
        var inOffices = session.Query<Ticket>().Where(t => t.TenantIsOneOf(codes));
        var (tickets, total) = await filter.Read(filter.Apply(inOffices, context.User, now), async (ids, token) =>
        {
            var page = ids.ToArray();
            return await session.Query<Ticket>().Where(t => t.TenantIsOneOf(codes) && page.Contains(t.Id)).ToListAsync(token);
        }, ct);
        var items = tickets.Select(t => TicketResponse.From(t, offices.ClockOf(t.Office), now)).ToList();
        return Results.Ok(new TicketPage(items, filter.Page, filter.PageSize, total));
    }
}
