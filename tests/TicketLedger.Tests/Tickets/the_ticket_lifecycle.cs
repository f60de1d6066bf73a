using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace TicketLedger.Tests.Tickets;

public sealed class the_ticket_lifecycle(ApiFixture fixture) : ApiTest(fixture)
{
    private async Task<IReadOnlyList<string>> EventTypes(Guid id)
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession("yinhe");
        return (await session.Events.FetchStreamAsync(id)).Select(e => e.Data.GetType().Name).ToList();
    }

    [Fact]
    public async Task a_ticket_goes_from_open_to_assigned_to_escalated_to_resolved()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id, "jfb");
        Assert.Equal("assigned", (await Host.GetTicket(id)).GetProperty("status").GetString());
        await Host.Respond(id);
        await Host.Escalate(id, "rsj");
        await Host.Command(id, "bureau-replies", new { bureau = "rsj", message = "已协调" });
        var escalated = await Host.GetTicket(id);
        Assert.Equal("escalated", escalated.GetProperty("status").GetString());
        Assert.Equal("rsj", escalated.GetProperty("bureau").GetString());
        Assert.Equal("jfb", escalated.GetProperty("department").GetString());
        await Host.Resolve(id);

        var resolved = await Host.GetTicket(id);
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.False(resolved.GetProperty("overdue").GetBoolean());
        Assert.Equal(6, resolved.GetProperty("version").GetInt64());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, resolved.GetProperty("resolvedAt").ValueKind);
        Assert.Equal(["TicketRaised", "TicketAssigned", "TicketResponded", "TicketEscalated", "BureauReplied", "TicketResolved"], await EventTypes(id));
    }

    [Fact]
    public async Task a_reopened_ticket_returns_to_its_department()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        await Host.Resolve(id);
        await Host.Command(id, "reopen", new { reason = "口罩质量不合格" });
        var ticket = await Host.GetTicket(id);
        Assert.Equal("assigned", ticket.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, ticket.GetProperty("resolvedAt").ValueKind);
    }

    [Fact]
    public async Task a_return_visit_that_is_not_confirmed_reopens_the_ticket()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        await Host.Resolve(id);
        await Host.Command(id, "return-visits", new { resolvedConfirmed = false, satisfied = false, notes = "仍缺口罩" });
        Assert.Equal("assigned", (await Host.GetTicket(id)).GetProperty("status").GetString());
        Assert.Equal(["TicketRaised", "TicketAssigned", "TicketResolved", "ReturnVisitRecorded", "TicketReopened"], await EventTypes(id));
    }

    [Fact]
    public async Task a_confirmed_return_visit_leaves_the_ticket_resolved()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        await Host.Resolve(id);
        await Host.Command(id, "return-visits", new { resolvedConfirmed = true, satisfied = true });
        var ticket = await Host.GetTicket(id);
        Assert.Equal("resolved", ticket.GetProperty("status").GetString());
        Assert.True(ticket.GetProperty("satisfied").GetBoolean());
    }

    [Fact]
    public async Task resolving_a_resolved_ticket_is_a_conflict_naming_the_state_and_appends_nothing()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        await Host.Resolve(id);
        var result = await Host.Command(id, "resolve", new { resolution = "再次" }, status: 409);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Contains("resolved", result.Json().GetProperty("detail").GetString());
        Assert.Equal("resolved", result.Json().GetProperty("state").GetString());
        Assert.Equal(3, (await EventTypes(id)).Count);
    }

    [Theory]
    [InlineData("assign")]
    [InlineData("respond")]
    [InlineData("escalate")]
    [InlineData("bureau-replies")]
    [InlineData("resolve")]
    [InlineData("reopen")]
    [InlineData("return-visits")]
    public async Task a_command_on_an_unknown_ticket_is_a_404_problem(string action)
    {
        var result = await Host.Command(Guid.NewGuid(), action, ValidBody(action), status: 404);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
    }

    [Theory]
    [InlineData("assign")]
    [InlineData("respond")]
    [InlineData("escalate")]
    [InlineData("bureau-replies")]
    [InlineData("resolve")]
    [InlineData("reopen")]
    [InlineData("return-visits")]
    public async Task an_empty_body_is_a_400_with_field_errors(string action)
    {
        var (id, _) = await Host.GivenTicket();
        var result = await Host.Command(id, action, new { }, status: 400);
        Assert.True(result.Json().GetProperty("errors").EnumerateObject().Any());
    }

    [Theory]
    [InlineData("assign")]
    [InlineData("respond")]
    [InlineData("escalate")]
    [InlineData("resolve")]
    [InlineData("reopen")]
    [InlineData("return-visits")]
    public async Task auditor_and_bureau_keys_may_not_run_staff_commands(string action)
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Command(id, action, ValidBody(action), status: 403, key: Keys.Auditor);
        await Host.Command(id, action, ValidBody(action), status: 403, key: Keys.Bureau);
    }

    [Fact]
    public async Task a_command_without_a_key_is_401()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Scenario(x => { x.Post.Json(new { department = "xmb" }).ToUrl($"/api/tickets/{id}/assign"); x.StatusCodeShouldBe(401); });
        await Host.Scenario(x => { x.Post.Json(new { }).ToUrl("/api/tickets"); x.StatusCodeShouldBe(401); });
    }

    [Fact]
    public async Task unknown_reference_codes_are_400()
    {
        var (id, _) = await Host.GivenTicket();
        var result = await Host.Command(id, "assign", new { department = "nope" }, status: 400);
        Assert.True(result.Json().GetProperty("errors").TryGetProperty("department", out _));
        await Host.Command(id, "escalate", new { bureau = "nope", reason = "x" }, status: 400);
    }

    [Fact]
    public async Task an_occurred_at_in_the_future_or_before_the_raise_is_400()
    {
        var raisedAt = DateTimeOffset.UtcNow.AddDays(-2);
        var (id, _) = await Host.GivenTicket(occurredAt: raisedAt);
        await Host.Command(id, "assign", new { department = "xmb", occurredAt = DateTimeOffset.UtcNow.AddHours(1) }, status: 400);
        var result = await Host.Command(id, "assign", new { department = "xmb", occurredAt = raisedAt.AddMinutes(-1) }, status: 400);
        Assert.True(result.Json().GetProperty("errors").TryGetProperty("occurredAt", out _));
        await Host.Command(id, "assign", new { department = "xmb", occurredAt = raisedAt.AddMinutes(5) });
    }

    [Fact]
    public async Task malformed_json_is_400_not_500()
    {
        var (id, _) = await Host.GivenTicket();
        foreach (var url in new[] { "/api/tickets", $"/api/tickets/{id}/assign" })
            await Host.Scenario(x =>
            {
                x.Post.Text("{\"department\": ").ToUrl(url);
                x.WithRequestHeader("Content-Type", "application/json");
                x.WithKey(Keys.Staff);
                x.StatusCodeShouldBe(400);
            });
    }

    [Fact]
    public async Task an_unknown_source_is_400()
    {
        var subject = await Host.GivenSubject();
        await Host.Scenario(x =>
        {
            x.Post.Json(new { subjectId = subject, category = "supplies", title = "t", description = "d", source = "carrier-pigeon" }).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task a_body_that_is_not_json_is_refused()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Scenario(x =>
        {
            x.Post.Text("department=xmb").ToUrl($"/api/tickets/{id}/assign");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(415);
        });
        Assert.Equal(1, (await Host.GetTicket(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_body_that_is_too_large_is_413()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Command(id, "respond", new { message = new string('x', 70_000) }, status: 413);
    }

    internal static object ValidBody(string action) => action switch
    {
        "assign" => new { department = "xmb" },
        "respond" => new { message = "收到" },
        "escalate" => new { bureau = "jfj-gxc", reason = "需协调" },
        "bureau-replies" => new { bureau = "jfj-gxc", message = "已办" },
        "resolve" => new { resolution = "已解决" },
        "reopen" => new { reason = "未解决" },
        "return-visits" => new { resolvedConfirmed = true, satisfied = true, notes = "好" },
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
