using Alba;
using TicketLedger.Tests.Hosting;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// The role table (Hosting/every_route_by_role) for the routes that read across offices, on a district where the local
/// keys may use every office: each role gets through exactly where the table allows, and is refused (403) elsewhere.
/// </summary>
public sealed class the_district_routes_by_role(DistrictFixture fixture) : DistrictTest(fixture)
{
    private static readonly Dictionary<string, string> KeyOf = new()
    {
        ["staff"] = Keys.Staff, ["auditor"] = Keys.Auditor, ["bureau"] = Keys.Bureau, ["admin"] = Keys.Admin,
    };

    public static IEnumerable<object[]> Cases() =>
        from route in every_route_by_role.DistrictRoutes.Append("GET /api/offices")
        from role in KeyOf.Keys
        select new object[] { route, role, every_route_by_role.Allowed[route].Contains(role) };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task a_role_gets_through_exactly_where_the_table_allows(string route, string role, bool allowed)
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url(route.Split(' ')[1]);
            x.WithKey(KeyOf[role]);
            x.StatusCodeShouldBe(allowed ? 200 : 403);
        });
        if (route == "GET /api/offices")
            Assert.Equal(["yinhe", "gangqu", "kashi"], result.Json().GetProperty("offices").EnumerateArray().Select(o => o.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task a_key_is_told_only_the_offices_it_may_use()
    {
        foreach (var (key, offices) in new[] { (DistrictKeys.YinheStaff, new[] { "yinhe" }), (DistrictKeys.TwoOfficeStaff, ["yinhe", "gangqu"]) })
        {
            var result = await Host.Scenario(x => { x.Get.Url("/api/offices"); x.WithKey(key); });
            var body = result.Json();
            Assert.Equal(offices, body.GetProperty("offices").EnumerateArray().Select(o => o.GetProperty("code").GetString()));
            Assert.Equal(DistrictFixture.DistrictName, body.GetProperty("district").GetString());
        }
        var kashi = (await Host.Scenario(x => { x.Get.Url("/api/offices"); x.WithKey(DistrictKeys.KashiStaff); })).Json().GetProperty("offices")[0];
        Assert.Equal(("喀什办事处", "Asia/Urumqi"), (kashi.GetProperty("name").GetString(), kashi.GetProperty("timeZone").GetString()));
    }
}
