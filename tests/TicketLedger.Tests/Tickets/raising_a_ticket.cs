using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Tickets;

public sealed class raising_a_ticket(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_raise_answers_201_with_location_id_and_number()
    {
        var subject = await Host.GivenSubject();
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(TicketScenarios.RaiseBody(subject)).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(201);
        });
        var body = result.Json();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/tickets/{id}", result.Context.Response.Headers.Location.ToString());
        Assert.Matches(@"^\d{4}-\d{4}$", body.GetProperty("number").GetString());

        var ticket = await Host.GetTicket(id);
        Assert.Equal("open", ticket.GetProperty("status").GetString());
        Assert.Equal(subject, ticket.GetProperty("subjectId").GetGuid());
        Assert.Equal("\"1\"", (await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}"); x.WithKey(Keys.Auditor); })).Context.Response.Headers.ETag.ToString());
    }

    [Fact]
    public async Task the_due_by_is_the_end_of_the_local_day_it_was_raised()
    {
        var raisedAt = new DateTimeOffset(2020, 2, 20, 23, 30, 0, TimeSpan.FromHours(8));
        var (id, number) = await Host.GivenTicket(occurredAt: raisedAt);
        var ticket = await Host.GetTicket(id);
        Assert.StartsWith("2020-", number);
        Assert.Equal(new DateTimeOffset(2020, 2, 21, 0, 0, 0, TimeSpan.FromHours(8)), ticket.GetProperty("dueBy").GetDateTimeOffset());
        Assert.Equal("2020-02-21T00:00:00+08:00", ticket.GetProperty("dueBy").GetString());
        Assert.True(ticket.GetProperty("overdue").GetBoolean());
    }

    [Fact]
    public async Task numbers_follow_the_local_business_year_of_the_raise()
    {
        // 2018-12-31 17:00 UTC is already 2019-01-01 in Shanghai.
        var (_, number) = await Host.GivenTicket(occurredAt: new DateTimeOffset(2018, 12, 31, 17, 0, 0, TimeSpan.Zero));
        Assert.StartsWith("2019-", number);
    }

    [Fact]
    public async Task parallel_raises_get_distinct_consecutive_numbers()
    {
        var subject = await Host.GivenSubject();
        var raisedAt = new DateTimeOffset(2015, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Host.GivenTicket(subject, raisedAt)));
        var numbers = results.Select(r => r.Number).Order().ToList();
        var first = int.Parse(numbers[0][5..]);
        Assert.Equal(Enumerable.Range(first, 20).Select(n => TicketNumbers.Format(2015, n)), numbers);
    }

    [Fact]
    public async Task an_unknown_subject_is_a_400_naming_the_field()
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(TicketScenarios.RaiseBody(Guid.NewGuid())).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(400);
            x.ContentTypeShouldBe("application/problem+json");
        });
        Assert.True(result.Json().GetProperty("errors").TryGetProperty("subjectId", out _));
    }

    [Fact]
    public async Task a_ticket_stream_is_not_a_subject()
    {
        var (ticket, _) = await Host.GivenTicket();
        await Host.Scenario(x =>
        {
            x.Post.Json(TicketScenarios.RaiseBody(ticket)).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task request_shape_errors_name_every_field()
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(new { subjectId = Guid.Empty, category = "weather", title = new string('x', 201), description = "", occurredAt = DateTimeOffset.UtcNow.AddDays(1) }).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(400);
        });
        var errors = result.Json().GetProperty("errors");
        foreach (var field in new[] { "subjectId", "category", "title", "description", "source", "occurredAt" })
            Assert.True(errors.TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task a_raise_records_the_caller_and_the_correlation_id()
    {
        var subject = await Host.GivenSubject();
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(TicketScenarios.RaiseBody(subject)).ToUrl("/api/tickets");
            x.WithKey(Keys.Admin);
            x.WithRequestHeader("X-Correlation-ID", "raise-1");
            x.StatusCodeShouldBe(201);
        });
        var id = result.Json().GetProperty("id").GetGuid();
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession("yinhe");
        var raised = (await session.Events.FetchStreamAsync(id)).Single();
        Assert.Equal("local-admin", raised.UserName);
        Assert.Equal("raise-1", raised.CorrelationId);
    }

    [Theory]
    [InlineData(Keys.Auditor)]
    [InlineData(Keys.Bureau)]
    public async Task only_staff_and_admin_may_raise(string key)
    {
        var subject = await Host.GivenSubject();
        await Host.Scenario(x => { x.Post.Json(TicketScenarios.RaiseBody(subject)).ToUrl("/api/tickets"); x.WithKey(key); x.StatusCodeShouldBe(403); });
    }

    [Fact]
    public async Task a_raise_that_is_too_large_or_not_json_is_refused()
    {
        var subject = await Host.GivenSubject();
        await Host.Scenario(x =>
        {
            x.Post.Json(new { subjectId = subject, category = "supplies", title = "t", description = new string('x', 70_000), source = "visit" }).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(413);
        });
        await Host.Scenario(x => { x.Post.Text("subject=1").ToUrl("/api/tickets"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(415); });
    }

    [Fact]
    public async Task reads_need_a_key()
    {
        var (id, _) = await Host.GivenTicket();
        foreach (var url in new[] { "/api/tickets", $"/api/tickets/{id}", $"/api/tickets/{id}/history" })
            await Host.Scenario(x => { x.Get.Url(url); x.StatusCodeShouldBe(401); });
    }

    [Fact]
    public async Task a_subject_registered_through_the_api_can_raise_tickets()
    {
        var site = await Host.Register(SubjectScenarios.Site());
        var (id, _) = await Host.GivenTicket(site);
        Assert.Equal(site, (await Host.GetTicket(id)).GetProperty("subjectId").GetGuid());
    }
}
