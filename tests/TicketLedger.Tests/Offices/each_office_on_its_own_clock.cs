using Alba;
using TicketLedger.Tickets;
using Wolverine;
using Wolverine.Tracking;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// Kashi keeps Urumqi time (UTC+6), two hours behind yinhe's Beijing time: "today", "the same day" and the earliest
/// business date are judged on the clock of the office the request acts in, validators included.
/// </summary>
public sealed class each_office_on_its_own_clock(DistrictFixture fixture) : DistrictTest(fixture)
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8), Urumqi = TimeSpan.FromHours(6);

    private readonly OfficeDesk _yinhe = new(fixture.Host, new Caller(DistrictKeys.YinheStaff));
    private readonly OfficeDesk _kashi = new(fixture.Host, new Caller(DistrictKeys.KashiStaff));

    /// <summary>
    /// The next time it is <paramref name="beijingTime"/> in Beijing, at least an hour from now: a deadline falling due
    /// that evening is still in the future for the service's timers, which run on real time.
    /// </summary>
    private static DateTimeOffset Next(TimeOnly beijingTime)
    {
        var soon = DateTimeOffset.UtcNow.AddHours(1).ToOffset(Beijing);
        var at = new DateTimeOffset(DateOnly.FromDateTime(soon.DateTime).ToDateTime(beijingTime), Beijing);
        return at > soon ? at : at.AddDays(1);
    }

    [Fact]
    public async Task a_visit_dated_tomorrow_in_beijing_is_in_the_future_in_kashi_until_urumqi_reaches_that_day()
    {
        var now = Next(new TimeOnly(0, 30));
        Fixture.Clock.MoveTo(now);
        var beijingToday = DateOnly.FromDateTime(now.DateTime).ToString("yyyy-MM-dd");
        var visit = new { visitedOn = beijingToday, staff = "张三", notes = "走访" };

        await _yinhe.SubjectCommand(await _yinhe.Enterprise(), "visits", visit);
        var kashiSubject = await _kashi.Enterprise();
        var refused = await _kashi.SubjectCommand(kashiSubject, "visits", visit, status: 400);
        Assert.Contains("office's time zone", refused.Errors().GetProperty("visitedOn")[0].GetString());

        Fixture.Clock.MoveTo(now.AddHours(2));
        await _kashi.SubjectCommand(kashiSubject, "visits", visit);
    }

    [Fact]
    public async Task the_first_hour_of_2000_in_beijing_is_still_1999_in_kashi()
    {
        var occurredAt = new DateTimeOffset(2000, 1, 1, 1, 0, 0, Beijing);
        var (_, number) = await _yinhe.Raise(await _yinhe.Enterprise(), raisedAt: occurredAt);
        Assert.StartsWith("2000-", number);

        var kashiSubject = await _kashi.Enterprise();
        var refused = await _kashi.Post("/api/tickets",
            new { subjectId = kashiSubject, category = "supplies", title = "口罩", description = "缺口罩", source = "visit", occurredAt }, status: 400);
        Assert.Contains("2000-01-01", refused.Errors().GetProperty("occurredAt")[0].GetString());
    }

    [Fact]
    public async Task a_ticket_raised_at_half_past_eleven_beijing_time_is_due_at_the_end_of_the_urumqi_day()
    {
        var now = Next(new TimeOnly(23, 30));
        Fixture.Clock.MoveTo(now);
        var kashiSubject = await _kashi.Enterprise();
        var yinheSubject = await _yinhe.Enterprise();

        var (kashi, kashiDeadline) = await RaiseTracked(_kashi, kashiSubject);
        var (yinhe, yinheDeadline) = await RaiseTracked(_yinhe, yinheSubject);

        var urumqiMidnight = new DateTimeOffset(DateOnly.FromDateTime(now.DateTime).AddDays(1).ToDateTime(TimeOnly.MinValue), Urumqi);
        var beijingMidnight = new DateTimeOffset(DateOnly.FromDateTime(now.DateTime).AddDays(1).ToDateTime(TimeOnly.MinValue), Beijing);
        var kashiDue = (await _kashi.Get($"/api/tickets/{kashi}")).GetProperty("dueBy");
        Assert.Equal(urumqiMidnight, kashiDue.GetDateTimeOffset());
        Assert.EndsWith("+06:00", kashiDue.GetString());
        Assert.Equal(urumqiMidnight, kashiDeadline.ScheduledTime);
        Assert.Equal(new ResponseDeadline(kashi, urumqiMidnight, DistrictFixture.Kashi), kashiDeadline.Message);

        Assert.Equal(beijingMidnight, (await _yinhe.Get($"/api/tickets/{yinhe}")).GetProperty("dueBy").GetDateTimeOffset());
        Assert.Equal(beijingMidnight, yinheDeadline.ScheduledTime);
    }

    private async Task<(Guid Id, Envelope Deadline)> RaiseTracked(OfficeDesk desk, Guid subject)
    {
        Guid id = default;
        var tracked = await Host.TrackActivity().Timeout(TimeSpan.FromSeconds(30)).ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ =>
            id = (await desk.Raise(subject, raisedAt: Fixture.Clock.GetUtcNow())).Id));
        return (id, tracked.Scheduled.Envelopes().Single(e => e.Message is ResponseDeadline));
    }
}
