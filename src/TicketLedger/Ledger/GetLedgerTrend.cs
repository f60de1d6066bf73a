using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Ledger;

/// <summary>
/// How the ticket figures moved: one point per business day on which any of them changed, carrying the running totals
/// at the end of that day (the days between keep the previous values), and the same-day reply rate per week.
/// </summary>
public sealed record LedgerTrend(string Office, DateOnly AsOf, DateTimeOffset? KnownAt, IReadOnlyList<LedgerTrendDay> Days, IReadOnlyList<LedgerTrendWeek> Weeks);

public sealed record LedgerTrendDay(DateOnly Date, int Raised, int Resolved, int Pending, int Overdue, int RaisedThatDay, int ResolvedThatDay);

/// <summary>A week from Monday: the tickets raised in it and the same-day replies given in it.</summary>
public sealed record LedgerTrendWeek(DateOnly WeekOf, int Raised, int RespondedOnTime, decimal? ResponseRate);

public static class GetLedgerTrendEndpoint
{
    public static ProblemDetails Validate(string? asOf, string? knownAt) => LedgerPoint.Problem(asOf, knownAt);

    [WolverineGet("/api/ledger/trend", OperationId = "GetLedgerTrend", Summary = "Raised, resolved, pending and overdue per day, and the same-day reply rate per week (asOf, knownAt as for the ledger)")]
    [Tags("ledger")]
    [Authorize(Policy = Policies.Read)]
    public static async Task<LedgerTrend> Get(string? asOf, string? knownAt, IQuerySession session, Office office, TimeProvider clock, CancellationToken cancellation)
    {
        var (date, at) = LedgerPoint.From(new QueryValues(), asOf, knownAt);
        var businessDate = date ?? office.LocalDate(at ?? clock.GetUtcNow());
        var changes = await new LedgerDailyChanges(session, office).Read(businessDate.DayNumber, at, cancellation);
        return new LedgerTrend(office.Code, businessDate, at, Days(changes), Weeks(changes));
    }

    private static List<LedgerTrendDay> Days(SortedDictionary<int, Counters> changes)
    {
        var running = new Counters();
        var days = new List<LedgerTrendDay>();
        foreach (var (day, change) in changes)
        {
            running.AddAll(change);
            if (!change.Keys.Any(k => k.StartsWith("tickets.", StringComparison.Ordinal))) continue;
            days.Add(new LedgerTrendDay(DateOnly.FromDayNumber(day),
                Count(running, Metric.Raised), Count(running, Metric.Resolved), Count(running, Metric.Pending), Count(running, Metric.Overdue),
                Count(change, Metric.Raised), Count(change, Metric.Resolved)));
        }
        return days;
    }

    private static List<LedgerTrendWeek> Weeks(SortedDictionary<int, Counters> changes) =>
        changes.GroupBy(c => DateOnly.FromDayNumber(c.Key - (int)DateOnly.FromDayNumber(c.Key).DayOfWeek.DaysSinceMonday()))
            .Select(week =>
            {
                var raised = week.Sum(d => Count(d.Value, Metric.Raised));
                var onTime = week.Sum(d => Count(d.Value, Metric.RespondedOnTime));
                return new LedgerTrendWeek(week.Key, raised, onTime, raised == 0 ? null : Math.Round((decimal)onTime / raised, 4));
            })
            .Where(w => w.Raised != 0 || w.RespondedOnTime != 0)
            .ToList();

    private static int Count(Counters counters, string metric) => (int)counters.Of(metric);

    private static int DaysSinceMonday(this DayOfWeek day) => ((int)day + 6) % 7;
}
