using System.Text.Json;
using Alba;
using Marten;
using TicketLedger.Subjects;

namespace TicketLedger.Tests.Subjects;

public sealed class registering_a_subject(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task an_enterprise_is_created_with_its_location_and_id()
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(SubjectScenarios.Enterprise("91350100M000100Y43")).ToUrl("/api/subjects");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(201);
        });
        var id = JsonDocument.Parse(result.ReadAsText()).RootElement.GetProperty("id").GetGuid();
        Assert.Equal($"/api/subjects/{id}", result.Context.Response.Headers.Location.ToString());

        var subject = await Host.GetSubject(id);
        Assert.Equal("enterprise", subject.GetProperty("kind").GetString());
        Assert.Equal("91350100M000100Y43", subject.GetProperty("creditCode").GetString());
        Assert.Equal("above", subject.GetProperty("scale").GetString());
        Assert.Equal("none", subject.GetProperty("keyProjectLevel").GetString());
        Assert.Equal("yinhe", subject.GetProperty("office").GetString());
        Assert.Equal("13800000000", subject.GetProperty("contact").GetProperty("phone").GetString());
    }

    [Fact]
    public async Task a_site_keeps_its_key_project_level_and_has_no_code_or_scale()
    {
        var id = await Host.Register(SubjectScenarios.Site("province"));
        var subject = await Host.GetSubject(id);
        Assert.Equal("site", subject.GetProperty("kind").GetString());
        Assert.Equal("province", subject.GetProperty("keyProjectLevel").GetString());
        Assert.Equal(JsonValueKind.Null, subject.GetProperty("creditCode").ValueKind);
        Assert.Equal(JsonValueKind.Null, subject.GetProperty("scale").ValueKind);
    }

    [Fact]
    public async Task a_site_without_a_level_is_no_key_project()
    {
        var id = await Host.Register(SubjectScenarios.Site(keyProjectLevel: null));
        Assert.Equal("none", (await Host.GetSubject(id)).GetProperty("keyProjectLevel").GetString());
    }

    [Fact]
    public async Task a_typed_lower_case_code_is_stored_in_capitals()
    {
        var id = await Host.Register(SubjectScenarios.Enterprise(" 91350100m000100y43 "));
        Assert.Equal("91350100M000100Y43", (await Host.GetSubject(id)).GetProperty("creditCode").GetString());
    }

    [Fact]
    public async Task the_event_records_the_caller_the_correlation_id_and_the_business_time()
    {
        var occurredAt = DateTimeOffset.Parse("2020-02-10T09:30:00+08:00");
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(new
            {
                kind = "enterprise", name = "银河纺织", creditCode = SubjectScenarios.NewCreditCode(), scale = "below", occurredAt,
            }).ToUrl("/api/subjects");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.WithRequestHeader("X-Correlation-ID", "register-123");
            x.StatusCodeShouldBe(201);
        });
        var id = JsonDocument.Parse(result.ReadAsText()).RootElement.GetProperty("id").GetGuid();

        await using var session = Host.DocumentStore().QuerySession("yinhe");
        var recorded = Assert.Single(await session.Events.FetchStreamAsync(id));
        var registered = Assert.IsType<SubjectRegistered>(recorded.Data);
        Assert.Equal("local-staff", recorded.UserName);
        Assert.Equal("register-123", recorded.CorrelationId);
        Assert.Equal(occurredAt, registered.OccurredAt);
        Assert.Equal(EnterpriseScale.Below, registered.Scale);
    }

    [Fact]
    public async Task a_second_registration_of_a_code_is_a_conflict()
    {
        var code = SubjectScenarios.NewCreditCode();
        await Host.Register(SubjectScenarios.Enterprise(code));
        await Host.Scenario(x =>
        {
            x.Post.Json(SubjectScenarios.Enterprise(code.ToLowerInvariant(), name: "另一家公司")).ToUrl("/api/subjects");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(409);
            x.ContentTypeShouldBe("application/problem+json");
        });
        await using var session = Host.DocumentStore().QuerySession("yinhe");
        Assert.Equal(1, await session.Query<SubjectView>().CountAsync());
    }

    [Fact]
    public async Task of_parallel_registrations_of_one_code_exactly_one_succeeds()
    {
        var code = SubjectScenarios.NewCreditCode();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            var result = await Host.Scenario(x =>
            {
                x.Post.Json(SubjectScenarios.Enterprise(code, name: $"竞争者 {i}")).ToUrl("/api/subjects");
                x.WithRequestHeader("X-Api-Key", Keys.Staff);
                x.IgnoreStatusCode();
            });
            return result.Context.Response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.Equal(5, statuses.Count(s => s == 409));
        await using var session = Host.DocumentStore().QuerySession("yinhe");
        Assert.Equal(1, await session.Query<SubjectView>().CountAsync());
        Assert.Equal(1, await session.Events.QueryRawEventDataOnly<SubjectRegistered>().CountAsync());
    }

    [Fact]
    public async Task sites_need_no_code_so_several_register_freely()
    {
        await Host.Register(SubjectScenarios.Site());
        await Host.Register(SubjectScenarios.Site());
    }

    public static TheoryData<object, string> InvalidRegistrations => new()
    {
        { new { name = "无类别" }, "kind" },
        { new { kind = "enterprise", scale = "above", creditCode = "91350100M000100Y43" }, "name" },
        { new { kind = "enterprise", name = new string('名', 201), scale = "above", creditCode = "91350100M000100Y43" }, "name" },
        { new { kind = "enterprise", name = "缺代码", scale = "above" }, "creditCode" },
        { new { kind = "enterprise", name = "错代码", scale = "above", creditCode = "91350100M000100Y44" }, "creditCode" },
        { new { kind = "enterprise", name = "组织机构代码错", scale = "above", creditCode = "91350100M000100Y56" }, "creditCode" },
        { new { kind = "enterprise", name = "缺规模", creditCode = "91350100M000100Y43" }, "scale" },
        { new { kind = "enterprise", name = "企业无项目级别", scale = "above", creditCode = "91350100M000100Y43", keyProjectLevel = "city" }, "keyProjectLevel" },
        { new { kind = "site", name = "工地有代码", creditCode = "91350100M000100Y43" }, "creditCode" },
        { new { kind = "site", name = "工地有规模", scale = "below" }, "scale" },
        { new { kind = "site", name = "地址过长", address = new string('路', 501) }, "address" },
        { new { kind = "site", name = "联系人无电话", contact = new { name = "李工" } }, "contact.phone" },
        { new { kind = "site", name = "电话不像电话", contact = new { name = "李工", phone = "call me maybe" } }, "contact.phone" },
        { new { kind = "site", name = "联系人无姓名", contact = new { phone = "0571-88886666" } }, "contact.name" },
        { new { kind = "site", name = "未来", occurredAt = DateTimeOffset.UtcNow.AddDays(1) }, "occurredAt" },
    };

    [Theory, MemberData(nameof(InvalidRegistrations))]
    public async Task invalid_input_is_400_keyed_by_the_json_field(object body, string field)
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(body).ToUrl("/api/subjects");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(400);
            x.ContentTypeShouldBe("application/problem+json");
        });
        Assert.True(result.Errors().TryGetProperty(field, out _), $"expected an error for '{field}' in {result.ReadAsText()}");
        await using var session = Host.DocumentStore().QuerySession("yinhe");
        Assert.Empty(await session.Events.QueryAllRawEvents().ToListAsync());
    }

    [Theory]
    [InlineData("""{"kind":"factory","name":"x"}""")]
    [InlineData("""{"kind":"site","name":"x","keyProjectLevel":"national"}""")]
    [InlineData("""{"kind":"site","name":""")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("[]")]
    public async Task unreadable_json_is_400_not_500(string json)
    {
        await Host.Scenario(x =>
        {
            x.Post.Text(json).ToUrl("/api/subjects");
            x.WithRequestHeader("Content-Type", "application/json");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task without_a_key_it_is_401()
    {
        await Host.Scenario(x => { x.Post.Json(SubjectScenarios.Site()).ToUrl("/api/subjects"); x.StatusCodeShouldBe(401); });
    }

    [Fact]
    public async Task an_auditor_may_not_register_403()
    {
        await Host.Scenario(x =>
        {
            x.Post.Json(SubjectScenarios.Site()).ToUrl("/api/subjects");
            x.WithRequestHeader("X-Api-Key", Keys.Auditor);
            x.StatusCodeShouldBe(403);
        });
    }

    [Fact]
    public async Task an_admin_may_register()
    {
        await Host.Scenario(x =>
        {
            x.Post.Json(SubjectScenarios.Site()).ToUrl("/api/subjects");
            x.WithRequestHeader("X-Api-Key", Keys.Admin);
            x.StatusCodeShouldBe(201);
        });
    }
}
