using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// The role table of README.md ("Roles and keys") as a test: which roles may call which route. Every route the service maps must be in the table, so a
/// new endpoint cannot ship without deciding who may call it. "Allowed" means authorization let the call through
/// (any status but 401/403: ids here are unknown, bodies empty); "refused" means 403, and no key or a wrong key 401.
/// </summary>
public sealed class every_route_by_role(ApiFixture fixture) : ApiTest(fixture)
{
    private const string Staff = "staff", Auditor = "auditor", Bureau = "bureau", Admin = "admin";
    private static readonly string[] Everyone = [Staff, Auditor, Bureau, Admin];
    private static readonly string[] Readers = [Staff, Auditor, Admin];
    private static readonly string[] Writers = [Staff, Admin];

    public static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["GET /api/reference"] = Everyone,
        ["GET /api/offices"] = Everyone,
        ["GET /api/subjects"] = Readers,
        ["GET /api/subjects/{id}"] = Readers,
        ["POST /api/subjects"] = Writers,
        ["POST /api/subjects/{id}/grid-staff"] = Writers,
        ["POST /api/subjects/{id}/visits"] = Writers,
        ["POST /api/subjects/{id}/resumption"] = Writers,
        ["POST /api/subjects/{id}/funds"] = Writers,
        // A bureau reads tickets too, but only those escalated to it: an unknown id is a 404 for it, not a 403.
        ["GET /api/tickets"] = Everyone,
        ["GET /api/tickets/{id}"] = Everyone,
        ["GET /api/tickets/{id}/history"] = Everyone,
        ["GET /api/tickets/{id}/history.csv"] = Everyone,
        ["POST /api/tickets"] = Writers,
        ["POST /api/tickets/{id}/assign"] = Writers,
        ["POST /api/tickets/{id}/respond"] = Writers,
        ["POST /api/tickets/{id}/escalate"] = Writers,
        ["POST /api/tickets/{id}/resolve"] = Writers,
        ["POST /api/tickets/{id}/reopen"] = Writers,
        ["POST /api/tickets/{id}/return-visits"] = Writers,
        // Office staff also record a bureau's reply received by phone or letter.
        ["POST /api/tickets/{id}/bureau-replies"] = [Bureau, Staff, Admin],
        ["POST /api/referrals"] = [Bureau],
        ["GET /api/ledger"] = Readers,
        ["GET /api/ledger/report"] = Readers,
        ["GET /api/ledger/trend"] = Readers,
        ["GET /api/ledger/tickets.csv"] = Readers,
        ["GET /api/ledger/tickets.xlsx"] = Readers,
        // The district roll-up reads as the routes it rolls up; see DistrictRoutes for who gets through here.
        ["GET /api/district/ledger"] = Readers,
        ["GET /api/district/report"] = Readers,
        ["GET /api/district/tickets"] = Everyone,
        ["GET /api/audit/verify"] = [Auditor, Admin],
        ["GET /api/audit/digest"] = [Auditor, Admin],
        ["GET /api/audit/checkpoint"] = [Auditor, Admin],
        ["GET /api/audit/public-key"] = [Auditor, Admin],
        ["GET /api/audit/proof/inclusion"] = [Auditor, Admin],
        ["GET /api/audit/proof/consistency"] = [Auditor, Admin],
        ["GET /api/audit/export"] = [Auditor, Admin],
        ["GET /api/tickets/{id}/evidence"] = [Auditor, Admin],
        ["POST /api/admin/projections/rebuild"] = [Admin],
        ["GET /api/admin/dead-letters"] = [Admin],
        ["POST /api/admin/dead-letters/{id}/replay"] = [Admin],
        ["GET /api/admin/nodes"] = [Admin],
    };

    /// <summary>
    /// Routes for keys that may use two or more offices. This host has one office, so no key may use them: every role is
    /// refused (403) here, and Offices/the_district_routes_by_role holds them to the table on a district.
    /// </summary>
    public static readonly string[] DistrictRoutes = ["GET /api/district/ledger", "GET /api/district/report", "GET /api/district/tickets"];

    private static readonly Dictionary<string, string> KeyOf = new()
    {
        [Staff] = Keys.Staff, [Auditor] = Keys.Auditor, [Bureau] = Keys.Bureau, [Admin] = Keys.Admin,
    };

    [Fact]
    public void every_mapped_route_has_a_rule()
    {
        var mapped = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/") == true || e.RoutePattern.RawText?.StartsWith("api/") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .ToHashSet();
        Assert.Empty(mapped.Except(Allowed.Keys));
        Assert.Empty(Allowed.Keys.Except(mapped));
    }

    public static IEnumerable<object[]> Cases() =>
        from rule in Allowed
        from role in Everyone
        select new object[] { rule.Key, role, rule.Value.Contains(role) && !DistrictRoutes.Contains(rule.Key) };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task a_role_gets_through_exactly_where_the_contract_allows(string route, string role, bool allowed)
    {
        var status = await Call(route, "X-Api-Key", KeyOf[role]);
        if (allowed) Assert.True(status is not (401 or 403), $"{role} on {route} got {status}");
        else Assert.Equal(403, status);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task no_key_or_an_unknown_key_is_401_everywhere(string route)
    {
        Assert.Equal(401, await Call(route, "X-Correlation-ID", "anonymous"));
        Assert.Equal(401, await Call(route, "X-Api-Key", "not-a-key"));
    }

    public static IEnumerable<object[]> Routes() => Allowed.Keys.Select(route => new object[] { route });

    private async Task<int> Call(string route, string header, string value)
    {
        var (method, template) = (route.Split(' ')[0], route.Split(' ')[1]);
        var url = template.Replace("{id}", Guid.NewGuid().ToString());
        var result = await Host.Scenario(x =>
        {
            if (method == "GET") x.Get.Url(url);
            else x.Post.Json(new { }).ToUrl(url);
            x.WithRequestHeader(header, value);
            x.IgnoreStatusCode();
        });
        return result.Context.Response.StatusCode;
    }
}
