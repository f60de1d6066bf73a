using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using static TicketLedger.Tests.Offices.DistrictFixture;
using static TicketLedger.Tests.Offices.DistrictScenarios;

namespace TicketLedger.Tests.Offices;

public sealed class the_district_ledger(DistrictFixture fixture) : DistrictTest(fixture)
{
    private readonly DistrictScenarios Given = new(fixture.Host);

    private static readonly string[] AllOffices = [Yinhe, Gangqu, Kashi];

    [Fact]
    public async Task each_office_row_is_that_offices_own_ledger_and_the_total_their_sum_at_every_point()
    {
        await GivenThreeOfficesOfRecords();
        var before = DateTimeOffset.UtcNow;
        var late = await Given.Enterprise(Gangqu, "below", "迟报企业");
        await Given.Resume(Gangqu, late, "2020-02-13", 40, 40);
        await Given.Settle();

        string[] points =
        [
            "", "?asOf=2020-02-11", "?asOf=2020-02-12", "?asOf=2020-02-13", "?asOf=2020-02-15", "?asOf=2020-02-20",
            $"?knownAt={Uri.EscapeDataString(before.ToString("O"))}",
            $"?asOf=2020-02-13&knownAt={Uri.EscapeDataString(before.ToString("O"))}",
        ];
        foreach (var point in points)
        {
            var district = JsonNode.Parse((await Given.Get("/api/district/ledger" + point)).GetRawText())!;
            var rows = district["offices"]!.AsArray();
            Assert.Equal(AllOffices, rows.Select(r => r!["office"]!.GetValue<string>()));
            foreach (var row in rows)
            {
                var code = row!["office"]!.GetValue<string>();
                var own = JsonNode.Parse((await Given.Get("/api/ledger" + point, office: code)).GetRawText())!;
                var figures = row.DeepClone().AsObject();
                figures.Remove("name");
                Assert.True(JsonNode.DeepEquals(own, figures), $"{code}{point}:\n{own}\n!=\n{figures}");
            }
            AssertTotalIsTheSum(district, point);
        }

        // The point itself: knownAt before the late record leaves it out, as each office's own ledger does.
        var known = await Given.Get($"/api/district/ledger?asOf=2020-02-13&knownAt={Uri.EscapeDataString(before.ToString("O"))}");
        var now = await Given.Get("/api/district/ledger?asOf=2020-02-13");
        Assert.Equal(Count(now, "total.resumption.belowScaleResumed") - 1, Count(known, "total.resumption.belowScaleResumed"));
        Assert.Equal("2020-02-13", known.GetProperty("asOf").GetString());
        Assert.Equal(DistrictName, known.GetProperty("district").GetString());
        // The district's first enterprise to resume is the earliest of the offices' first ones.
        Assert.Equal("2020-02-12", At(now, "total.resumption.firstResumed.resumedOn").GetString());
    }

    [Fact]
    public async Task a_rate_of_the_district_is_computed_from_its_counts_never_averaged_over_offices()
    {
        var yinhe = await Given.Enterprise(Yinhe);
        var answered = await Given.Raise(Yinhe, yinhe, Beijing("2020-02-12", 9));
        await Given.Respond(Yinhe, answered, Beijing("2020-02-12", 10));
        await Given.Resolve(Yinhe, answered, Beijing("2020-02-12", 11));
        var gangqu = await Given.Enterprise(Gangqu);
        for (var i = 0; i < 3; i++) await Given.Raise(Gangqu, gangqu, Beijing("2020-02-12", 12 + i));
        await Given.Settle();

        var district = await Given.Get("/api/district/ledger?asOf=2020-02-12");

        Assert.Equal(1m, Rate(district, "offices.0.tickets.resolutionRate"));
        Assert.Equal(0m, Rate(district, "offices.1.tickets.resolutionRate"));
        // One of four, not the offices' average of one half.
        Assert.Equal(0.25m, Rate(district, "total.tickets.resolutionRate"));
        Assert.Equal(0.25m, Rate(district, "total.tickets.responseRate"));
        Assert.Equal(4, Count(district, "total.tickets.raised"));
        // No return visit anywhere: no rate, not zero.
        Assert.Equal(JsonValueKind.Null, At(district, "total.tickets.satisfactionRate").ValueKind);
    }

    [Fact]
    public async Task an_office_on_urumqi_time_counts_a_ticket_on_its_own_calendar_day()
    {
        // 01:30 in Beijing on the 13th is 23:30 on the 12th in Urumqi.
        var instant = Beijing("2020-02-13", 1, 30);
        await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), instant);
        var kashiTicket = await Given.Raise(Kashi, await Given.Enterprise(Kashi), instant);
        // Answered a quarter of an hour later: still the same day in Urumqi, so on time there.
        await Given.Respond(Kashi, kashiTicket, instant.AddMinutes(15));
        await Given.Settle();

        var twelfth = await Given.Get("/api/district/ledger?asOf=2020-02-12");
        Assert.Equal((0, 0, 1), (Count(twelfth, "offices.0.tickets.raised"), Count(twelfth, "offices.1.tickets.raised"), Count(twelfth, "offices.2.tickets.raised")));
        Assert.Equal(1, Count(twelfth, "total.tickets.raised"));
        Assert.Equal(1m, Rate(twelfth, "offices.2.tickets.responseRate"));

        var thirteenth = await Given.Get("/api/district/ledger?asOf=2020-02-13");
        Assert.Equal(2, Count(thirteenth, "total.tickets.raised"));
        Assert.Equal(1, Count(thirteenth, "offices.0.tickets.raised"));
    }

    [Fact]
    public async Task the_report_has_a_paragraph_per_office_and_one_for_the_district()
    {
        await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-12"));
        var gangqu = await Given.Enterprise(Gangqu);
        await Given.Raise(Gangqu, gangqu, Beijing("2020-02-12"));
        await Given.Raise(Gangqu, gangqu, Beijing("2020-02-13"));
        await Given.Settle();

        var chinese = (await Given.GetText("/api/district/report?asOf=2020-03-13")).Split("\n\n");
        Assert.Equal(4, chinese.Length);
        Assert.StartsWith("银河办事处：截至2020年3月13日", chinese[0]);
        Assert.Contains("收集问题1个", chinese[0]);
        Assert.StartsWith("港区办事处：", chinese[1]);
        Assert.Contains("收集问题2个", chinese[1]);
        Assert.StartsWith("喀什办事处：", chinese[2]);
        Assert.Contains("收集问题0个", chinese[2]);
        Assert.StartsWith($"{DistrictName}3个办事处合计：", chinese[3]);
        Assert.Contains("收集问题3个", chinese[3]);

        var english = (await Given.GetText("/api/district/report?asOf=2020-03-13&lang=en")).Split("\n\n");
        Assert.StartsWith($"{DistrictName}, all 3 offices: As of 13 March 2020", english[3]);
        Assert.Contains("collected 3 problems", english[3]);

        var invalid = await Host.Scenario(x => { x.Get.Url("/api/district/report?lang=fr"); x.WithKey(Keys.Auditor); x.StatusCodeShouldBe(400); });
        Assert.True(invalid.Errors().TryGetProperty("lang", out _));
    }

    [Fact]
    public async Task a_key_sees_the_offices_it_may_use_and_a_key_of_one_office_has_no_district()
    {
        var two = await Given.Get("/api/district/ledger", DistrictKeys.TwoOfficeStaff);
        Assert.Equal([Yinhe, Gangqu], two.GetProperty("offices").EnumerateArray().Select(o => o.GetProperty("office").GetString()));
        Assert.Equal("银河办事处", two.GetProperty("offices")[0].GetProperty("name").GetString());

        foreach (var route in new[] { "/api/district/ledger", "/api/district/report", "/api/district/tickets" })
        foreach (var key in new[] { DistrictKeys.YinheStaff, DistrictKeys.GangquAuditor, DistrictKeys.YinheAdmin })
        {
            var refused = await Host.Scenario(x => { x.Get.Url(route); x.WithKey(key); x.StatusCodeShouldBe(403); });
            Assert.Contains("two or more", refused.Json().GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task x_office_is_not_needed_but_must_still_be_one_the_key_may_use()
    {
        await Host.Scenario(x => { x.Get.Url("/api/district/ledger"); x.WithKey(DistrictKeys.TwoOfficeStaff); x.InOffice(Gangqu); x.StatusCodeShouldBe(200); });
        await Host.Scenario(x => { x.Get.Url("/api/district/ledger"); x.WithKey(DistrictKeys.TwoOfficeStaff); x.InOffice(Kashi); x.StatusCodeShouldBe(403); });
    }

    [Theory]
    [InlineData("?asOf=yesterday", "asOf")]
    [InlineData("?knownAt=soon", "knownAt")]
    public async Task a_malformed_point_is_a_400_naming_the_field(string query, string field)
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/district/ledger" + query); x.WithKey(Keys.Auditor); x.StatusCodeShouldBe(400); });
        Assert.True(result.Errors().TryGetProperty(field, out _));
    }

    /// <summary>
    /// Visits, resumption, funds and tickets in all three offices on dates from 11 to 18 February: answered on time and
    /// late, unanswered, resolved, return visits either way, resumption above and below scale, two fund batches.
    /// </summary>
    private async Task GivenThreeOfficesOfRecords()
    {
        var yinhe = await Given.Enterprise(Yinhe);
        await Given.Visit(Yinhe, yinhe, "2020-02-11");
        await Given.Resume(Yinhe, yinhe, "2020-02-12", 100, 80);
        var a = await Given.Raise(Yinhe, yinhe, Beijing("2020-02-11", 10));
        await Given.Respond(Yinhe, a, Beijing("2020-02-11", 11));
        await Given.Resolve(Yinhe, a, Beijing("2020-02-13"));
        await Given.ReturnVisit(Yinhe, a, true, Beijing("2020-02-14"));
        await Given.Raise(Yinhe, yinhe, Beijing("2020-02-12"), "labour");
        await Given.Fund(Yinhe, yinhe, "1", 100_000, "2020-02-15");

        var gangqu = await Given.Enterprise(Gangqu, "below");
        await Given.Visit(Gangqu, gangqu, "2020-02-12");
        await Given.Resume(Gangqu, gangqu, "2020-02-14", 50, 10);
        var c = await Given.Raise(Gangqu, gangqu, Beijing("2020-02-12"));
        await Given.Respond(Gangqu, c, Beijing("2020-02-13"));
        await Given.Resolve(Gangqu, c, Beijing("2020-02-16"));
        await Given.ReturnVisit(Gangqu, c, false, Beijing("2020-02-17"));
        await Given.Raise(Gangqu, gangqu, Beijing("2020-02-14"), "labour");
        await Given.Fund(Gangqu, gangqu, "2", 50_000, "2020-02-18");

        var kashi = await Given.Enterprise(Kashi);
        await Given.Resume(Kashi, kashi, "2020-02-15", 30, 30);
        var e = await Given.Raise(Kashi, kashi, Beijing("2020-02-13", 1, 30));
        await Given.Respond(Kashi, e, Beijing("2020-02-13", 1, 45));
    }

    /// <summary>Every count of the total is the offices' sum; every rate is recomputed from the total's own counts.</summary>
    private static void AssertTotalIsTheSum(JsonNode district, string point)
    {
        var total = district["total"]!;
        var rows = district["offices"]!.AsArray().Select(r => r!).ToList();
        foreach (var group in new[] { "visits", "tickets", "resumption", "funds" })
            AssertSums(total[group]!, rows.Select(r => r[group]).ToList(), $"{point} {group}");

        decimal Of(string path) => path.Split('.').Aggregate((JsonNode?)total, (n, name) => n?[name])!.GetValue<decimal>();
        decimal? RateOf(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole, 4);
        decimal? Shown(string path) => path.Split('.').Aggregate((JsonNode?)total, (n, name) => n?[name])?.GetValue<decimal>();
        Assert.Equal(RateOf(Of("tickets.respondedOnTime"), Of("tickets.raised")), Shown("tickets.responseRate"));
        Assert.Equal(RateOf(Of("tickets.resolved"), Of("tickets.raised")), Shown("tickets.resolutionRate"));
        Assert.Equal(RateOf(Of("tickets.satisfied"), Of("tickets.returnVisits")), Shown("tickets.satisfactionRate"));
        Assert.Equal(RateOf(Of("resumption.aboveScaleResumed"), Of("resumption.aboveScaleTotal")), Shown("resumption.aboveScaleRate"));
        Assert.Equal(RateOf(Of("resumption.workersReturned"), Of("resumption.headcount")), Shown("resumption.returnRate"));
    }

    private static void AssertSums(JsonNode total, IReadOnlyList<JsonNode?> offices, string where)
    {
        var names = offices.OfType<JsonObject>().SelectMany(o => o.Select(p => p.Key)).Concat(total.AsObject().Select(p => p.Key)).Distinct();
        foreach (var name in names)
        {
            if (name.EndsWith("Rate", StringComparison.Ordinal) || name == "firstResumed") continue;
            var parts = offices.Select(o => o?[name]).ToList();
            if (total[name] is JsonObject breakdown)
                AssertSums(breakdown, parts, $"{where}.{name}");
            else
                Assert.True(parts.Sum(p => p?.GetValue<decimal>() ?? 0) == (total[name]?.GetValue<decimal>() ?? 0), $"{where}.{name}");
        }
    }

    private static JsonElement At(JsonElement json, string path) =>
        path.Split('.').Aggregate(json, (e, name) => int.TryParse(name, out var i) ? e[i] : e.GetProperty(name));

    private static int Count(JsonElement json, string path) => At(json, path).GetInt32();

    private static decimal Rate(JsonElement json, string path) => At(json, path).GetDecimal();
}
