using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace TicketLedger.Tests.Dashboard;

/// <summary>
/// The dashboard's service as a district: the seeded Yinhe office, Gangqu and Kashi (on Urumqi time) with a few records
/// of their own, the local keys (allowed every office) and a key bound to Gangqu.
/// </summary>
public sealed class DistrictDashboardFixture : DashboardFixture
{
    public const string GangquStaffKey = "gangqu-staff-key";
    public const string DistrictName = "郑州航空港区";

    protected override string Database => "tl_dashboard_district";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Offices__0__Code"] = "yinhe", ["Offices__0__Name"] = "银河办事处",
        ["Offices__1__Code"] = "gangqu", ["Offices__1__Name"] = "港区办事处",
        ["Offices__2__Code"] = "kashi", ["Offices__2__Name"] = "喀什办事处", ["Offices__2__TimeZone"] = "Asia/Urumqi",
        ["District__Name"] = DistrictName,
        // After the four local keys of appsettings.Development.json.
        ["Auth__ApiKeys__4__Name"] = "gangqu-staff", ["Auth__ApiKeys__4__Role"] = "staff", ["Auth__ApiKeys__4__Office"] = "gangqu",
        ["Auth__ApiKeys__4__KeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(GangquStaffKey))),
    };

    /// <summary>The other offices' records first, then the first call of every route the page reads in a district.</summary>
    protected override async Task WarmUp(HttpClient api)
    {
        await Record("gangqu", "2020-03-02", 2);
        await Record("kashi", "2020-03-03", 1);
        await Eventually.Until(() => GetJson("/api/district/ledger"), d => d["total"]!["tickets"]!["raised"]!.GetValue<int>() == 84 + 3,
            TimeSpan.FromMinutes(1), "the other offices' tickets in the district's ledger");

        api.DefaultRequestHeaders.Add("X-Office", "yinhe");
        await base.WarmUp(api);
        api.DefaultRequestHeaders.Remove("X-Office");
        string[] routes = ["/api/offices", "/api/district/ledger", "/api/district/report?lang=zh", "/api/district/tickets?pageSize=1"];
        foreach (var route in routes) (await api.GetAsync(route)).EnsureSuccessStatusCode();
    }

    /// <summary>An above-scale enterprise that resumed, and tickets raised on a date, the first answered the same day.</summary>
    private async Task Record(string office, string date, int tickets)
    {
        using var api = Api(Keys.Staff, office);
        var at = new DateTimeOffset(DateOnly.Parse(date).ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8));
        var subject = await Post(api, "/api/subjects", new
        {
            kind = "enterprise", name = $"{office}精密制造有限公司", creditCode = Subjects.SubjectScenarios.NewCreditCode(), scale = "above",
            address = "郑州航空港区", contact = new { name = "王经理", phone = "13800000000" }, occurredAt = at.AddDays(-20),
        });
        await Post(api, $"/api/subjects/{subject}/resumption", new { resumedOn = date, headcount = 100, workersReturned = 60, capacityPercent = 80, occurredAt = at });
        for (var i = 0; i < tickets; i++)
        {
            var ticket = await Post(api, "/api/tickets", new
            {
                subjectId = subject, category = "labour", title = $"{office}缺工{i + 1}", description = "复工缺少工人", source = "visit", occurredAt = at.AddMinutes(i),
            });
            if (i == 0) await Post(api, $"/api/tickets/{ticket}/respond", new { message = "已联系人社局", occurredAt = at.AddHours(1) });
        }
    }

    private static async Task<Guid?> Post(HttpClient api, string url, object body)
    {
        var response = await api.PostAsJsonAsync(url, body);
        response.EnsureSuccessStatusCode();
        return response.StatusCode == System.Net.HttpStatusCode.Created
            ? (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<Guid>()
            : null;
    }
}

[CollectionDefinition(Name)]
public sealed class DistrictDashboardCollection : ICollectionFixture<DistrictDashboardFixture>
{
    public const string Name = "district dashboard";
}
