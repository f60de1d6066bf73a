using System.Text.Json;
using Alba;

namespace TicketLedger.Tests.Tickets;

public sealed class reading_tickets(ApiFixture fixture) : ApiTest(fixture)
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    [Fact]
    public async Task the_read_carries_every_contract_field_and_an_etag_of_the_version()
    {
        var (id, number) = await Host.GivenTicket();
        await Host.Assign(id);
        var result = await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}"); x.WithKey(Keys.Auditor); });
        Assert.Equal("\"2\"", result.Context.Response.Headers.ETag.ToString());
        var ticket = result.Json();
        foreach (var field in new[] { "id", "number", "subjectId", "category", "title", "status", "department", "bureau", "raisedAt", "dueBy", "respondedAt", "resolvedAt", "overdue", "version" })
            Assert.True(ticket.TryGetProperty(field, out _), field);
        Assert.Equal(number, ticket.GetProperty("number").GetString());
        Assert.EndsWith("+08:00", ticket.GetProperty("raisedAt").GetString());
    }

    [Fact]
    public async Task an_unknown_ticket_is_404_problem()
    {
        await Host.Scenario(x => { x.Get.Url($"/api/tickets/{Guid.NewGuid()}"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(404); x.ContentTypeShouldBe("application/problem+json"); });
        await Host.Scenario(x => { x.Get.Url($"/api/tickets/{Guid.NewGuid()}/history"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(404); });
    }

    [Fact]
    public async Task the_ticket_as_it_stood_by_version_business_time_and_recording_time()
    {
        var raisedAt = new DateTimeOffset(2020, 2, 20, 9, 0, 0, Shanghai);
        var (id, _) = await Host.GivenTicket(occurredAt: raisedAt);
        await Host.Command(id, "assign", new { department = "xmb", occurredAt = raisedAt.AddHours(1) });
        await Host.Command(id, "respond", new { message = "收到", occurredAt = raisedAt.AddHours(2) });
        var history = (await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}/history"); x.WithKey(Keys.Auditor); })).Json();
        var assignRecordedAt = history.GetProperty("events")[1].GetProperty("recordedAt").GetDateTimeOffset();
        await Host.Command(id, "resolve", new { resolution = "已解决", occurredAt = raisedAt.AddDays(1) });

        Assert.Equal("open", (await Host.GetTicket(id, "?version=1")).GetProperty("status").GetString());
        var asOf = await Host.GetTicket(id, "?asOf=" + Uri.EscapeDataString(raisedAt.AddMinutes(90).ToString("O")));
        Assert.Equal("assigned", asOf.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, asOf.GetProperty("respondedAt").ValueKind);
        Assert.False(asOf.GetProperty("overdue").GetBoolean());
        var knownAt = await Host.GetTicket(id, "?knownAt=" + Uri.EscapeDataString(assignRecordedAt.ToString("O")), Keys.Auditor);
        Assert.Equal("assigned", knownAt.GetProperty("status").GetString());
        Assert.Equal(2, knownAt.GetProperty("version").GetInt64());
        Assert.Equal("resolved", (await Host.GetTicket(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_time_before_the_ticket_existed_is_404_and_a_bad_timestamp_is_400()
    {
        var (id, _) = await Host.GivenTicket(occurredAt: new DateTimeOffset(2020, 2, 20, 9, 0, 0, Shanghai));
        await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}?asOf=2020-01-01T00:00:00Z"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(404); });
        var result = await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}?asOf=yesterday&version=zero"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(400); });
        Assert.True(result.Json().GetProperty("errors").TryGetProperty("asOf", out _));
        Assert.True(result.Json().GetProperty("errors").TryGetProperty("version", out _));
    }

    [Fact]
    public async Task the_history_lists_every_event_with_actor_correlation_and_both_times()
    {
        var occurredAt = DateTimeOffset.UtcNow.AddHours(-3);
        var (id, _) = await Host.GivenTicket(occurredAt: occurredAt);
        await Host.Scenario(x =>
        {
            x.Post.Json(new { department = "hbb" }).ToUrl($"/api/tickets/{id}/assign");
            x.WithKey(Keys.Admin);
            x.WithRequestHeader("X-Correlation-ID", "assign-42");
            x.StatusCodeShouldBe(204);
        });
        var history = (await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}/history"); x.WithKey(Keys.Auditor); })).Json();
        var events = history.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["TicketRaised", "TicketAssigned"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.True(events[1].GetProperty("sequence").GetInt64() > events[0].GetProperty("sequence").GetInt64());
        Assert.Equal("local-staff", events[0].GetProperty("actor").GetString());
        Assert.Equal("local-admin", events[1].GetProperty("actor").GetString());
        Assert.Equal("assign-42", events[1].GetProperty("correlationId").GetString());
        Assert.Equal(occurredAt.ToUnixTimeSeconds(), events[0].GetProperty("occurredAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal("hbb", events[1].GetProperty("data").GetProperty("department").GetString());
        Assert.Equal("visit", events[0].GetProperty("data").GetProperty("source").GetString());
    }

    [Fact]
    public async Task the_list_filters_pages_and_puts_the_newest_first()
    {
        var subject = await Host.GivenSubject();
        var now = DateTimeOffset.UtcNow;
        var older = await Host.GivenTicket(subject, now.AddDays(-3));
        var newer = await Host.GivenTicket(subject, now.AddMinutes(-1));
        var other = await Host.GivenTicket();
        await Host.Assign(older.Id, "djb");
        await Host.Respond(newer.Id);

        async Task<JsonElement> List(string query) =>
            (await Host.Scenario(x => { x.Get.Url("/api/tickets" + query); x.WithKey(Keys.Staff); })).Json();

        var bySubject = await List($"?subjectId={subject}");
        Assert.Equal(2, bySubject.GetProperty("total").GetInt64());
        Assert.Equal([newer.Id, older.Id], bySubject.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(older.Id, (await List("?department=djb&status=assigned")).GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Equal(0, (await List("?category=funding")).GetProperty("total").GetInt64());
        Assert.Equal(older.Id, (await List("?overdue=true")).GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());
        Assert.Equal(2, (await List("?overdue=false")).GetProperty("total").GetInt64());

        var page = await List("?page=2&pageSize=2");
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(2, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Single(page.GetProperty("items").EnumerateArray());
        _ = other;
    }

    [Fact]
    public async Task bad_list_parameters_are_400()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/tickets?status=lost&pageSize=5000&overdue=maybe&page=2147483647"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(400); });
        var errors = result.Json().GetProperty("errors");
        foreach (var field in new[] { "status", "pageSize", "overdue", "page" }) Assert.True(errors.TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task the_reference_data_lists_codes_and_chinese_labels()
    {
        var reference = (await Host.Scenario(x => { x.Get.Url("/api/reference"); x.WithKey(Keys.Bureau); })).Json();
        Assert.Contains(reference.GetProperty("bureaus").EnumerateArray(), b => b.GetProperty("code").GetString() == "jfj-gxc" && b.GetProperty("label").GetString() == "实验区经发局工信处");
        Assert.Equal(["xmb", "hbb", "djb", "jfb"], reference.GetProperty("departments").EnumerateArray().Select(d => d.GetProperty("code").GetString()));
        Assert.Equal(7, reference.GetProperty("categories").GetArrayLength());
    }
}
