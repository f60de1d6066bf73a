using Alba;
using Marten;
using TicketLedger.Subjects;

namespace TicketLedger.Tests.Subjects;

public sealed class commands_on_a_subject(ApiFixture fixture) : ApiTest(fixture)
{
    private static readonly string Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");

    /// <summary>Every command with a valid body, for the behaviour all four share.</summary>
    public static TheoryData<string, object> ValidCommands => new()
    {
        { "grid-staff", new { staff = "张三" } },
        { "visits", new { visitedOn = "2020-02-12", staff = "张三", notes = "口罩短缺" } },
        { "resumption", new { resumedOn = "2020-02-14", headcount = 120, workersReturned = 100, capacityPercent = 85 } },
        { "funds", new { batch = "第一批", amountYuan = 20000, disbursedOn = "2020-03-10" } },
    };

    [Theory, MemberData(nameof(ValidCommands))]
    public async Task a_command_appends_one_event_with_the_caller_and_correlation_id(string action, object body)
    {
        var id = await Host.Register(SubjectScenarios.Enterprise());
        await Host.PostCommand(id, action, body, correlationId: $"corr-{action}");

        await using var session = Host.DocumentStore().QuerySession("yinhe");
        var events = await session.Events.FetchStreamAsync(id);
        Assert.Equal(2, events.Count);
        Assert.Equal("local-staff", events[1].UserName);
        Assert.Equal($"corr-{action}", events[1].CorrelationId);
    }

    [Theory, MemberData(nameof(ValidCommands))]
    public async Task an_unknown_subject_is_404_problem(string action, object body)
    {
        var result = await Host.PostCommand(Guid.NewGuid(), action, body, status: 404);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
    }

    [Theory, MemberData(nameof(ValidCommands))]
    public async Task without_a_key_it_is_401(string action, object body)
    {
        var id = await Host.Register(SubjectScenarios.Site());
        await Host.Scenario(x => { x.Post.Json(body).ToUrl($"/api/subjects/{id}/{action}"); x.StatusCodeShouldBe(401); });
    }

    [Theory, MemberData(nameof(ValidCommands))]
    public async Task an_auditor_may_not_write_403(string action, object body)
    {
        var id = await Host.Register(SubjectScenarios.Site());
        await Host.PostCommand(id, action, body, status: 403, key: Keys.Auditor);
        await using var session = Host.DocumentStore().QuerySession("yinhe");
        Assert.Single(await session.Events.FetchStreamAsync(id));
    }

    [Theory, MemberData(nameof(ValidCommands))]
    public async Task a_future_occurred_at_is_400(string action, object body)
    {
        var id = await Host.Register(SubjectScenarios.Site());
        var json = System.Text.Json.JsonSerializer.SerializeToNode(body)!.AsObject();
        json["occurredAt"] = DateTimeOffset.UtcNow.AddHours(1);
        var result = await Host.PostCommand(id, action, json, status: 400);
        Assert.True(result.Errors().TryGetProperty("occurredAt", out _));
    }

    [Fact]
    public async Task a_back_filled_occurred_at_is_kept_on_the_event()
    {
        var id = await Host.Register(SubjectScenarios.Site());
        var occurredAt = DateTimeOffset.Parse("2020-02-12T16:00:00+08:00");
        await Host.PostCommand(id, "visits", new { visitedOn = "2020-02-12", staff = "张三", occurredAt });

        await using var session = Host.DocumentStore().QuerySession("yinhe");
        var visited = Assert.IsType<SubjectVisited>((await session.Events.FetchStreamAsync(id))[1].Data);
        Assert.Equal(occurredAt, visited.OccurredAt);
        Assert.Equal(new DateOnly(2020, 2, 12), visited.VisitedOn);
    }

    [Fact]
    public async Task the_view_follows_the_subjects_service_resumption_and_funds()
    {
        var id = await Host.Register(SubjectScenarios.Enterprise());
        await Host.PostCommand(id, "grid-staff", new { staff = "张三" });
        await Host.PostCommand(id, "grid-staff", new { staff = "李四" });
        await Host.PostCommand(id, "visits", new { visitedOn = "2020-02-20", staff = "李四" });
        await Host.PostCommand(id, "visits", new { visitedOn = "2020-02-12", staff = "张三", notes = "补录纸质记录" });
        await Host.PostCommand(id, "resumption", new { resumedOn = "2020-02-14", headcount = 120, workersReturned = 90, capacityPercent = 70 });
        await Host.PostCommand(id, "resumption", new { resumedOn = "2020-02-14", headcount = 120, workersReturned = 110, capacityPercent = 95 });
        await Host.PostCommand(id, "funds", new { batch = "第一批", amountYuan = 20000.50m, disbursedOn = "2020-03-10" });
        await Host.PostCommand(id, "funds", new { batch = "第二批", amountYuan = 10000, disbursedOn = "2020-04-10" });

        var subject = await Host.GetSubject(id);
        Assert.Equal("李四", subject.GetProperty("gridStaff").GetString());
        Assert.Equal(2, subject.GetProperty("visitCount").GetInt32());
        Assert.Equal("2020-02-20", subject.GetProperty("lastVisitedOn").GetString());
        Assert.True(subject.GetProperty("resumed").GetBoolean());
        Assert.Equal("2020-02-14", subject.GetProperty("resumedOn").GetString());
        Assert.Equal(120, subject.GetProperty("headcount").GetInt32());
        Assert.Equal(110, subject.GetProperty("workersReturned").GetInt32());
        Assert.Equal(95, subject.GetProperty("capacityPercent").GetInt32());
        Assert.Equal(30000.50m, subject.GetProperty("fundsYuan").GetDecimal());
        Assert.Equal(9, subject.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_batch_disbursed_twice_to_one_subject_is_a_conflict_and_appends_nothing()
    {
        var id = await Host.Register(SubjectScenarios.Enterprise());
        await Host.PostCommand(id, "funds", new { batch = "第一批", amountYuan = 20000, disbursedOn = "2020-03-10" });
        var result = await Host.PostCommand(id, "funds", new { batch = " 第一批 ", amountYuan = 20000, disbursedOn = "2020-03-10" }, status: 409);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);

        await using var session = Host.DocumentStore().QuerySession("yinhe");
        Assert.Equal(2, (await session.Events.FetchStreamAsync(id)).Count);
    }

    [Fact]
    public async Task of_parallel_disbursements_of_one_batch_at_most_one_is_recorded()
    {
        var id = await Host.Register(SubjectScenarios.Enterprise());
        var statuses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var result = await Host.Scenario(x =>
            {
                x.Post.Json(new { batch = "第一批", amountYuan = 20000, disbursedOn = "2020-03-10" }).ToUrl($"/api/subjects/{id}/funds");
                x.WithRequestHeader("X-Api-Key", Keys.Staff);
                x.IgnoreStatusCode();
            });
            return result.Context.Response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 204));
        Assert.All(statuses.Where(s => s != 204), s => Assert.Equal(409, s));
        await using var session = Host.DocumentStore().QuerySession("yinhe");
        Assert.Equal(20000m, (await session.LoadAsync<SubjectView>(id))!.FundsYuan);
    }

    [Theory]
    [InlineData("grid-staff")]
    [InlineData("visits")]
    [InlineData("resumption")]
    [InlineData("funds")]
    public async Task a_null_body_is_400(string action)
    {
        var id = await Host.Register(SubjectScenarios.Site());
        await Host.Scenario(x =>
        {
            x.Post.Text("null").ToUrl($"/api/subjects/{id}/{action}");
            x.WithRequestHeader("Content-Type", "application/json");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task the_same_batch_may_go_to_different_subjects()
    {
        var first = await Host.Register(SubjectScenarios.Enterprise());
        var second = await Host.Register(SubjectScenarios.Enterprise());
        await Host.PostCommand(first, "funds", new { batch = "第一批", amountYuan = 20000, disbursedOn = "2020-03-10" });
        await Host.PostCommand(second, "funds", new { batch = "第一批", amountYuan = 30000, disbursedOn = "2020-03-10" });
    }

    [Fact]
    public async Task a_visit_today_in_the_office_time_zone_is_accepted()
    {
        var id = await Host.Register(SubjectScenarios.Site());
        await Host.PostCommand(id, "visits", new { visitedOn = Today, staff = "张三" });
    }

    public static TheoryData<string, object, string> InvalidCommands => new()
    {
        { "grid-staff", new { }, "staff" },
        { "grid-staff", new { staff = new string('张', 51) }, "staff" },
        { "visits", new { staff = "张三" }, "visitedOn" },
        { "visits", new { visitedOn = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddDays(1).ToString("yyyy-MM-dd"), staff = "张三" }, "visitedOn" },
        { "visits", new { visitedOn = "2020-02-12" }, "staff" },
        { "visits", new { visitedOn = "2020-02-12", staff = "张三", notes = new string('记', 2001) }, "notes" },
        { "resumption", new { resumedOn = "2020-02-14", headcount = 0, workersReturned = 0, capacityPercent = 50 }, "headcount" },
        { "resumption", new { resumedOn = "2020-02-14", headcount = 10, workersReturned = 11, capacityPercent = 50 }, "workersReturned" },
        { "resumption", new { resumedOn = "2020-02-14", headcount = 10, workersReturned = -1, capacityPercent = 50 }, "workersReturned" },
        { "resumption", new { resumedOn = "2020-02-14", headcount = 10, workersReturned = 5, capacityPercent = 101 }, "capacityPercent" },
        { "resumption", new { resumedOn = "2020-02-14", headcount = 10, workersReturned = 5 }, "capacityPercent" },
        { "resumption", new { headcount = 10, workersReturned = 5, capacityPercent = 50 }, "resumedOn" },
        { "resumption", new { resumedOn = "2999-01-01", headcount = 10, workersReturned = 5, capacityPercent = 50 }, "resumedOn" },
        { "funds", new { batch = "第一批", amountYuan = 0, disbursedOn = "2020-03-10" }, "amountYuan" },
        { "funds", new { batch = "第一批", amountYuan = -5, disbursedOn = "2020-03-10" }, "amountYuan" },
        { "funds", new { batch = "第一批", amountYuan = 10.001m, disbursedOn = "2020-03-10" }, "amountYuan" },
        { "funds", new { amountYuan = 100, disbursedOn = "2020-03-10" }, "batch" },
        { "funds", new { batch = "第一批", amountYuan = 100 }, "disbursedOn" },
    };

    [Theory, MemberData(nameof(InvalidCommands))]
    public async Task invalid_input_is_400_keyed_by_the_json_field_and_appends_nothing(string action, object body, string field)
    {
        var id = await Host.Register(SubjectScenarios.Enterprise());
        var result = await Host.PostCommand(id, action, body, status: 400);
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.True(result.Errors().TryGetProperty(field, out _), $"expected an error for '{field}' in {result.ReadAsText()}");

        await using var session = Host.DocumentStore().QuerySession("yinhe");
        Assert.Single(await session.Events.FetchStreamAsync(id));
    }
}
