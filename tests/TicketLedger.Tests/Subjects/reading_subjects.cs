using System.Text.Json;
using Alba;

namespace TicketLedger.Tests.Subjects;

public sealed class reading_subjects(ApiFixture fixture) : ApiTest(fixture)
{
    private async Task<JsonElement> List(string query, string key = Keys.Staff)
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/subjects" + query); x.WithRequestHeader("X-Api-Key", key); });
        return JsonDocument.Parse(result.ReadAsText()).RootElement;
    }

    private static string[] Names(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();

    [Fact]
    public async Task an_unknown_subject_is_404_problem()
    {
        await Host.Scenario(x =>
        {
            x.Get.Url($"/api/subjects/{Guid.NewGuid()}");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(404);
            x.ContentTypeShouldBe("application/problem+json");
        });
    }

    [Fact]
    public async Task a_fresh_subject_has_no_service_resumption_or_funds_yet()
    {
        var subject = await Host.GetSubject(await Host.Register(SubjectScenarios.Enterprise()));
        Assert.Equal(JsonValueKind.Null, subject.GetProperty("gridStaff").ValueKind);
        Assert.Equal(0, subject.GetProperty("visitCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, subject.GetProperty("lastVisitedOn").ValueKind);
        Assert.False(subject.GetProperty("resumed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, subject.GetProperty("resumedOn").ValueKind);
        Assert.Equal(0m, subject.GetProperty("fundsYuan").GetDecimal());
        Assert.Equal(1, subject.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task the_list_filters_by_kind_and_scale_sorted_by_name_with_defaults()
    {
        await Host.Register(SubjectScenarios.Enterprise(scale: "above", name: "B 规上"));
        await Host.Register(SubjectScenarios.Enterprise(scale: "below", name: "C 规下"));
        await Host.Register(SubjectScenarios.Enterprise(scale: "above", name: "A 规上"));
        await Host.Register(SubjectScenarios.Site(name: "D 工地"));

        var all = await List("");
        Assert.Equal(["A 规上", "B 规上", "C 规下", "D 工地"], Names(all));
        Assert.Equal(1, all.GetProperty("page").GetInt32());
        Assert.Equal(20, all.GetProperty("pageSize").GetInt32());
        Assert.Equal(4, all.GetProperty("total").GetInt64());

        Assert.Equal(["A 规上", "B 规上", "C 规下"], Names(await List("?kind=enterprise")));
        Assert.Equal(["D 工地"], Names(await List("?kind=site")));
        Assert.Equal(["A 规上", "B 规上"], Names(await List("?kind=enterprise&scale=above")));
        Assert.Equal(["C 规下"], Names(await List("?scale=BELOW")));
        Assert.Equal(4, (await List("?kind=&scale=&page=&pageSize=")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task the_list_pages_and_counts_the_whole_match()
    {
        foreach (var name in new[] { "甲", "乙", "丙", "丁", "戊" }) await Host.Register(SubjectScenarios.Site(name: name));

        var second = await List("?page=2&pageSize=2", Keys.Auditor);
        Assert.Equal(2, second.GetProperty("items").GetArrayLength());
        Assert.Equal(2, second.GetProperty("page").GetInt32());
        Assert.Equal(2, second.GetProperty("pageSize").GetInt32());
        Assert.Equal(5, second.GetProperty("total").GetInt64());

        var beyond = await List("?page=9&pageSize=2");
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(5, beyond.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task the_list_finds_a_subject_by_its_credit_code()
    {
        var code = SubjectScenarios.NewCreditCode();
        var id = await Host.Register(SubjectScenarios.Enterprise(code));
        await Host.Register(SubjectScenarios.Enterprise());

        var found = await List($"?creditCode={code.ToLowerInvariant()}");
        Assert.Equal(id, Assert.Single(found.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("?kind=factory", "kind")]
    [InlineData("?scale=huge", "scale")]
    [InlineData("?page=0", "page")]
    [InlineData("?page=abc", "page")]
    [InlineData("?pageSize=0", "pageSize")]
    [InlineData("?pageSize=201", "pageSize")]
    [InlineData("?pageSize=1.5", "pageSize")]
    public async Task invalid_list_parameters_are_400(string query, string field)
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url("/api/subjects" + query);
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(400);
            x.ContentTypeShouldBe("application/problem+json");
        });
        Assert.True(result.Errors().TryGetProperty(field, out _), result.ReadAsText());
    }

    [Fact]
    public async Task the_openapi_document_names_the_list_parameters_as_clients_send_them()
    {
        var result = await Host.Scenario(x => x.Get.Url("/openapi/v1.json"));
        var list = JsonDocument.Parse(result.ReadAsText()).RootElement.GetProperty("paths").GetProperty("/api/subjects").GetProperty("get");
        var names = list.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["kind", "scale", "creditCode", "page", "pageSize"], names);
    }

    [Theory]
    [InlineData("/api/subjects")]
    [InlineData("/api/subjects/00000000-0000-0000-0000-000000000001")]
    public async Task reading_needs_a_key_401(string url)
    {
        await Host.Scenario(x => { x.Get.Url(url); x.StatusCodeShouldBe(401); });
    }

    [Fact]
    public async Task a_bureau_may_not_read_subjects_403()
    {
        await Host.Scenario(x => { x.Get.Url("/api/subjects"); x.WithRequestHeader("X-Api-Key", Keys.Bureau); x.StatusCodeShouldBe(403); });
    }
}
