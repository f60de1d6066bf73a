using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Tickets;
using Wolverine;
using Wolverine.Tracking;

namespace TicketLedger.Tests.Tickets;

public sealed class the_same_day_deadline(ApiFixture fixture) : ApiTest(fixture)
{
    private async Task<IReadOnlyList<object>> Events(Guid id)
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession("yinhe");
        return (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).ToList();
    }

    private async Task<(ITrackedSession Tracked, Guid Id)> RaiseTracked(DateTimeOffset? occurredAt)
    {
        var subject = await Host.GivenSubject();
        Guid id = default;
        var tracked = await Host.TrackActivity().Timeout(TimeSpan.FromSeconds(30)).ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ =>
        {
            var result = await Host.Scenario(x =>
            {
                x.Post.Json(TicketScenarios.RaiseBody(subject, occurredAt)).ToUrl("/api/tickets");
                x.WithKey(Keys.Staff);
                x.StatusCodeShouldBe(201);
            });
            id = result.Json().GetProperty("id").GetGuid();
        }));
        return (tracked, id);
    }

    [Fact]
    public async Task a_raise_schedules_the_deadline_at_the_end_of_the_local_day()
    {
        var (tracked, id) = await RaiseTracked(null);
        var envelope = tracked.Scheduled.Envelopes().Single(e => e.Message is ResponseDeadline);
        var dueBy = (await Host.GetTicket(id)).GetProperty("dueBy").GetDateTimeOffset();
        Assert.Equal(dueBy, envelope.ScheduledTime);
        Assert.Equal(new ResponseDeadline(id, dueBy, "yinhe"), envelope.Message);
    }

    [Fact]
    public async Task a_back_filled_ticket_is_checked_after_a_grace_period()
    {
        var before = DateTimeOffset.UtcNow;
        var (tracked, _) = await RaiseTracked(DateTimeOffset.UtcNow.AddDays(-2));
        var envelope = tracked.Scheduled.Envelopes().Single(e => e.Message is ResponseDeadline);
        Assert.InRange(envelope.ScheduledTime!.Value, before + ResponseDeadline.BackfillGrace, DateTimeOffset.UtcNow + ResponseDeadline.BackfillGrace);
    }

    [Fact]
    public async Task an_unanswered_ticket_gets_the_deadline_missed_once_however_often_the_timer_fires()
    {
        var (id, _) = await Host.GivenTicket(occurredAt: DateTimeOffset.UtcNow.AddDays(-2));
        var dueBy = (await Host.GetTicket(id)).GetProperty("dueBy").GetDateTimeOffset();
        await Host.InvokeMessageAndWaitAsync(new ResponseDeadline(id, dueBy));
        await Host.InvokeMessageAndWaitAsync(new ResponseDeadline(id, dueBy));

        var missed = (await Events(id)).OfType<ResponseDeadlineMissed>().Single();
        Assert.Equal(dueBy, missed.OccurredAt);
        var ticket = await Host.GetTicket(id);
        Assert.True(ticket.GetProperty("overdue").GetBoolean());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, ticket.GetProperty("deadlineMissedAt").ValueKind);
    }

    [Fact]
    public async Task a_timer_firing_while_the_views_are_rebuilt_waits_for_its_ticket()
    {
        var (id, _) = await Host.GivenTicket(occurredAt: DateTimeOffset.UtcNow.AddDays(-2));
        var dueBy = (await Host.GetTicket(id)).GetProperty("dueBy").GetDateTimeOffset();
        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe"))
        {
            // What a rebuild of the Ticket projection does to the view for a moment.
            session.HardDelete<Ticket>(id);
            await session.SaveChangesAsync();
        }

        // Thrown, so Wolverine delivers it again later ([WaitsForTicketView]); a timer that returned would be gone.
        await Assert.ThrowsAsync<TicketViewRebuilding>(() => Host.MessageBus().InvokeAsync(new ResponseDeadline(id, dueBy, "yinhe")));
        Assert.Empty((await Events(id)).OfType<ResponseDeadlineMissed>());
    }

    [Fact]
    public async Task a_bureau_reply_arriving_while_the_views_are_rebuilt_waits_for_its_ticket()
    {
        var (id, _) = await Host.GivenTicket();
        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe"))
        {
            session.HardDelete<Ticket>(id);
            await session.SaveChangesAsync();
        }

        // Not refused as an unknown ticket (that would move it to the dead letters): retried once the view is back.
        var reply = new TicketLedger.Bureaus.BureauReply(id, "jfj-gxc", "已安排", "rebuilding-" + Guid.NewGuid().ToString("N"), Office: "yinhe");
        await Assert.ThrowsAsync<TicketViewRebuilding>(() =>
            Host.MessageBus().InvokeForTenantAsync("yinhe", new TicketLedger.Bureaus.RecordInboxBureauReply(reply)));
    }

    [Fact]
    public async Task a_ticket_answered_in_time_gets_no_event()
    {
        var raisedAt = DateTimeOffset.UtcNow.AddDays(-2);
        var (id, _) = await Host.GivenTicket(occurredAt: raisedAt);
        await Host.Respond(id, raisedAt.AddMinutes(10));
        var dueBy = (await Host.GetTicket(id)).GetProperty("dueBy").GetDateTimeOffset();
        await Host.InvokeMessageAndWaitAsync(new ResponseDeadline(id, dueBy));

        Assert.DoesNotContain((await Events(id)), e => e is ResponseDeadlineMissed);
        Assert.False((await Host.GetTicket(id)).GetProperty("overdue").GetBoolean());
    }

    [Fact]
    public async Task a_late_answer_is_still_overdue()
    {
        var raisedAt = DateTimeOffset.UtcNow.AddDays(-3);
        var (id, _) = await Host.GivenTicket(occurredAt: raisedAt);
        await Host.Respond(id, raisedAt.AddDays(1).AddHours(1));
        Assert.True((await Host.GetTicket(id)).GetProperty("overdue").GetBoolean());
    }

    [Fact]
    public async Task a_fresh_ticket_is_not_overdue_before_its_day_ends()
    {
        var (id, _) = await Host.GivenTicket();
        Assert.False((await Host.GetTicket(id)).GetProperty("overdue").GetBoolean());
    }
}
