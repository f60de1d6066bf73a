using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using TicketLedger.Tests.Subjects;
using Wolverine.Http;
using static TicketLedger.Tests.Offices.OfficeDesk;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// Isolation between offices (docs/offices.md) as a matrix over every office route of the API: the routes the service
/// maps, less the district-wide ones (`[NotTenanted]`, `/api/district`), must all be listed here, so a new route cannot
/// skip the matrix. Yinhe owns the data; gangqu's keys ask for it. Another office's ticket or subject is answered
/// exactly as an id that does not exist (404 on a route that names it), never 403 or 200, and nothing is recorded;
/// lists, exports and ledgers of one office do not change when another office records something.
/// </summary>
public sealed class isolation_between_offices(DistrictFixture fixture) : DistrictTest(fixture)
{
    private const string Owner = DistrictFixture.Yinhe, Other = DistrictFixture.Gangqu;

    public enum Role { Staff, Auditor, Bureau }

    /// <summary>One request of the matrix: a route, who calls it, what it is about, and a valid query or body.</summary>
    public sealed record OfficeRequest(string Route, Role Role, Target Target, string Query = "", Func<Guid, object>? Body = null)
    {
        public string Method => Route.Split(' ')[0];
        public string Template => Route.Split(' ')[1];
        public bool NamesTheId => Template.Contains("{id}");
        public int Success => Method == "GET" ? 200 : NamesTheId ? 204 : 201;
        public string Name => $"{Route}{Query} as {Role.ToString().ToLowerInvariant()}";
    }

    public enum Target { Subject, OpenTicket, AssignedTicket, EscalatedTicket, ResolvedTicket }

    private const string Future = "2099-01-01T00:00:00Z";
    private readonly string _tonight = DateTime.UtcNow.ToString("yyyy-MM-dd") + "T23:59:59Z";

    private static readonly OfficeRequest[] ById =
    [
        new("GET /api/subjects/{id}", Role.Staff, Target.Subject),
        new("POST /api/subjects/{id}/grid-staff", Role.Staff, Target.Subject, Body: _ => new { staff = "张三" }),
        new("POST /api/subjects/{id}/visits", Role.Staff, Target.Subject, Body: _ => new { visitedOn = "2020-03-02", staff = "张三", notes = "走访" }),
        new("POST /api/subjects/{id}/resumption", Role.Staff, Target.Subject,
            Body: _ => new { resumedOn = "2020-03-02", headcount = 100, workersReturned = 80, capacityPercent = 80 }),
        new("POST /api/subjects/{id}/funds", Role.Staff, Target.Subject, Body: _ => new { batch = "1", amountYuan = 10000, disbursedOn = "2020-03-02" }),
        new("GET /api/tickets/{id}", Role.Staff, Target.OpenTicket),
        new("GET /api/tickets/{id}", Role.Staff, Target.ResolvedTicket, "?version=1"),
        new("GET /api/tickets/{id}", Role.Staff, Target.ResolvedTicket, $"?asOf={Future}"),
        new("GET /api/tickets/{id}", Role.Auditor, Target.ResolvedTicket, $"?knownAt={Future}"),
        new("GET /api/tickets/{id}", Role.Bureau, Target.EscalatedTicket),
        new("GET /api/tickets/{id}/history", Role.Staff, Target.OpenTicket),
        new("GET /api/tickets/{id}/history", Role.Auditor, Target.ResolvedTicket),
        new("GET /api/tickets/{id}/history", Role.Bureau, Target.EscalatedTicket),
        new("GET /api/tickets/{id}/history.csv", Role.Staff, Target.ResolvedTicket),
        new("GET /api/tickets/{id}/evidence", Role.Auditor, Target.ResolvedTicket),
        new("POST /api/tickets/{id}/assign", Role.Staff, Target.OpenTicket, Body: _ => new { department = "xmb" }),
        new("POST /api/tickets/{id}/respond", Role.Staff, Target.OpenTicket, Body: _ => new { message = "已联系供应商" }),
        new("POST /api/tickets/{id}/escalate", Role.Staff, Target.AssignedTicket, Body: _ => new { bureau = "jfj-gxc", reason = "需要协调" }),
        new("POST /api/tickets/{id}/resolve", Role.Staff, Target.AssignedTicket, Body: _ => new { resolution = "已调配口罩" }),
        new("POST /api/tickets/{id}/reopen", Role.Staff, Target.ResolvedTicket, Body: _ => new { reason = "企业反映仍缺口罩" }),
        new("POST /api/tickets/{id}/return-visits", Role.Staff, Target.ResolvedTicket,
            Body: _ => new { resolvedConfirmed = true, satisfied = true, notes = "满意" }),
        new("POST /api/tickets/{id}/bureau-replies", Role.Staff, Target.EscalatedTicket, Body: _ => new { bureau = "jfj-gxc", message = "已协调" }),
        new("POST /api/tickets/{id}/bureau-replies", Role.Bureau, Target.EscalatedTicket, Body: _ => new { bureau = "jfj-gxc", message = "已协调" }),
        // The subject is named in the body: another office's is refused as an unregistered one.
        new("POST /api/tickets", Role.Staff, Target.Subject,
            Body: subject => new { subjectId = subject, category = "supplies", title = "口罩", description = "缺口罩", source = "visit" }),
        new("POST /api/referrals", Role.Bureau, Target.Subject,
            Body: subject => new { messageId = Guid.NewGuid().ToString(), subjectId = subject, category = "supplies", title = "口罩", description = "缺口罩" }),
    ];

    /// <summary>Reads over an office's whole data: the other office's answer must not change when the owner records.</summary>
    private static readonly string[] Collections =
    [
        "GET /api/subjects", "GET /api/subjects?kind=enterprise", "GET /api/subjects?creditCode={code}",
        "GET /api/tickets", "GET /api/tickets?status=escalated", "GET /api/tickets?subjectId={subject}",
        "GET /api/ledger", "GET /api/ledger?asOf=2020-03-02", $"GET /api/ledger?knownAt={Future}", $"GET /api/ledger?asOf=2020-03-02&knownAt={Future}",
        // Known at the end of today: the recordings of the day, not only the recorded-day buckets.
        "GET /api/ledger?knownAt={tonight}", "GET /api/ledger/trend?knownAt={tonight}",
        "GET /api/ledger/report?lang=zh", "GET /api/ledger/report?lang=en&asOf=2020-03-02",
        "GET /api/ledger/trend", "GET /api/ledger/trend?asOf=2020-03-02", $"GET /api/ledger/trend?knownAt={Future}",
        "GET /api/ledger/tickets.csv", "GET /api/ledger/tickets.xlsx?lang=en",
    ];

    /// <summary>Registration names no id; that a credit code is per office is shown in credit_codes_per_office.</summary>
    private static readonly string[] Registrations = ["POST /api/subjects"];

    private static IEnumerable<string> Covered =>
        ById.Select(r => r.Route).Concat(Collections.Select(c => c.Split('?')[0])).Concat(Registrations).Distinct();

    [Fact]
    public void every_office_route_is_in_the_matrix()
    {
        var mapped = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/") == true)
            .Where(e => e.Metadata.GetMetadata<NotTenantedAttribute>() is null && !e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/district"))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .ToHashSet();
        Assert.Empty(mapped.Except(Covered));
        Assert.Empty(Covered.Except(mapped));
    }

    public static IEnumerable<object[]> RequestsById() => ById.Select(r => new object[] { r.Name });

    [Theory]
    [MemberData(nameof(RequestsById))]
    public async Task another_office_is_answered_as_if_the_id_did_not_exist_and_nothing_is_recorded(string name)
    {
        var request = ById.Single(r => r.Name == name);
        var id = await Arrange(request.Target);
        var unknown = await Call(request, Guid.CreateVersion7(), Foreign(request.Role));
        var before = await Host.EventsAndStreams();

        var foreign = await Call(request, id, Foreign(request.Role));
        var namingTheOther = await Call(request, id, new Caller(SeveralOffices(request.Role), Other));

        Assert.Equal(before, await Host.EventsAndStreams());
        if (request.NamesTheId) Assert.Equal(404, foreign);
        Assert.Equal(unknown, foreign);
        Assert.Equal(unknown, namingTheOther);
        // The owner's keys get through with the same request: the refusal above was the office, not the request.
        Assert.Equal(request.Success, await Call(request, id, Own(request.Role)));
        var again = request.Method == "GET" ? id : await Arrange(request.Target);
        Assert.Equal(request.Success, await Call(request, again, new Caller(SeveralOffices(request.Role), Owner)));
    }

    [Fact]
    public async Task what_one_office_records_is_not_in_another_offices_lists_exports_or_ledger()
    {
        var code = SubjectScenarios.NewCreditCode();
        await Record(new OfficeDesk(Host, new Caller(DistrictKeys.GangquStaff)), SubjectScenarios.NewCreditCode(), "港区物流有限公司");
        var placeholder = Guid.CreateVersion7();
        var otherBefore = await ReadAll(code, placeholder, new Caller(DistrictKeys.GangquStaff));
        var ownerBefore = await ReadAll(code, placeholder, new Caller(DistrictKeys.YinheStaff));

        var subject = await Record(new OfficeDesk(Host, new Caller(DistrictKeys.YinheStaff)), code, "银河精密制造有限公司");

        var other = await ReadAll(code, subject, new Caller(DistrictKeys.GangquStaff));
        var otherNamed = await ReadAll(code, subject, new Caller(DistrictKeys.TwoOfficeStaff, Other));
        var owner = await ReadAll(code, subject, new Caller(DistrictKeys.YinheStaff));
        AssertNone("changed for the other office", route => other[route] != otherBefore[route]);
        AssertNone("changed for a key naming the other office", route => otherNamed[route] != otherBefore[route]);
        // Each route shows what its own office recorded, so the unchanged answers above are not empty routes'.
        AssertNone("unchanged for the owner", route => owner[route] == ownerBefore[route]);
    }

    /// <summary>Decided before any endpoint runs, so one request per route and caller shows it; no data is needed.</summary>
    [Fact]
    public async Task a_key_allowed_several_offices_must_name_one_on_every_office_route()
    {
        var wrong = new List<string>();
        foreach (var route in Covered)
        {
            var result = await CallRoute(route, new Caller(SeveralOffices(RoleOf(route))));
            if (result.Context.Response.StatusCode != 400 || !result.ReadAsText().Contains("X-Office"))
                wrong.Add($"{route}: {result.Context.Response.StatusCode}");
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public async Task an_office_the_key_may_not_use_or_that_does_not_exist_is_403_on_every_office_route()
    {
        var wrong = new List<string>();
        foreach (var route in Covered)
        {
            var role = RoleOf(route);
            Caller[] refused =
            [
                new(Foreign(role).Key, Owner),
                new(SeveralOffices(role), "nowhere"),
                .. role == Role.Staff ? [new Caller(DistrictKeys.TwoOfficeStaff, DistrictFixture.Kashi)] : Array.Empty<Caller>(),
            ];
            foreach (var caller in refused)
            {
                var result = await CallRoute(route, caller);
                if (result.Context.Response.StatusCode != 403 || !result.ReadAsText().Contains("X-Office"))
                    wrong.Add($"{caller} on {route}: {result.Context.Response.StatusCode}");
            }
        }
        Assert.Empty(wrong);
    }

    private static Role RoleOf(string route) => ById.FirstOrDefault(r => r.Route == route)?.Role ?? Role.Staff;

    /// <summary>The owner's keys: bound to yinhe.</summary>
    private static Caller Own(Role role) => role switch
    {
        Role.Staff => new(DistrictKeys.YinheStaff),
        Role.Auditor => new(DistrictKeys.YinheAdmin),
        _ => new(DistrictKeys.YinheBureau),
    };

    /// <summary>The same roles bound to gangqu.</summary>
    private static Caller Foreign(Role role) => role switch
    {
        Role.Staff => new(DistrictKeys.GangquStaff),
        Role.Auditor => new(DistrictKeys.GangquAuditor),
        _ => new(DistrictKeys.GangquBureau),
    };

    /// <summary>Keys allowed both offices, which name the one they act in.</summary>
    private static string SeveralOffices(Role role) => role switch
    {
        Role.Staff => DistrictKeys.TwoOfficeStaff,
        Role.Auditor => Keys.Auditor,
        _ => Keys.Bureau,
    };

    private Task<Guid> Arrange(Target target)
    {
        var desk = new OfficeDesk(Host, new Caller(DistrictKeys.YinheStaff));
        return target switch
        {
            Target.Subject => desk.Enterprise(),
            Target.OpenTicket => desk.Ticket(State.Open),
            Target.AssignedTicket => desk.Ticket(State.Assigned),
            Target.EscalatedTicket => desk.Ticket(State.Escalated),
            _ => desk.Ticket(State.Resolved),
        };
    }

    private async Task<int> Call(OfficeRequest request, Guid id, Caller caller)
    {
        var result = await Host.Scenario(x =>
        {
            var url = request.Template.Replace("{id}", id.ToString()) + request.Query;
            if (request.Method == "GET") x.Get.Url(url);
            else x.Post.Json(request.Body!(id)).ToUrl(url);
            caller.Sign(x);
            x.IgnoreStatusCode();
        });
        return result.Context.Response.StatusCode;
    }

    private Task<IScenarioResult> CallRoute(string route, Caller caller) =>
        Host.Scenario(x =>
        {
            var url = route.Split(' ')[1].Replace("{id}", Guid.CreateVersion7().ToString());
            if (route.StartsWith("GET ")) x.Get.Url(url);
            else x.Post.Json(new { }).ToUrl(url);
            caller.Sign(x);
            x.IgnoreStatusCode();
        });

    /// <summary>A subject with a visit, a resumption, a disbursement, and tickets in every state, the last waiting on a bureau.</summary>
    private async Task<Guid> Record(OfficeDesk desk, string creditCode, string name)
    {
        var subject = await desk.Enterprise(creditCode, name);
        await desk.SubjectCommand(subject, "visits", new { visitedOn = "2020-03-01", staff = "张三", notes = "走访" });
        await desk.SubjectCommand(subject, "resumption", new { resumedOn = "2020-03-01", headcount = 100, workersReturned = 80, capacityPercent = 80 });
        await desk.SubjectCommand(subject, "funds", new { batch = "1", amountYuan = 10000, disbursedOn = "2020-03-01" });
        await desk.Ticket(State.Open, subject, title: name + "缺口罩");
        await desk.Ticket(State.Resolved, subject, title: name + "缺工人");
        await desk.Ticket(State.Escalated, subject, title: name + "缺原料");
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        return subject;
    }

    private static void AssertNone(string what, Func<string, bool> wrong)
    {
        var routes = Collections.Where(wrong).ToList();
        Assert.True(routes.Count == 0, $"{what}: {string.Join(", ", routes)}");
    }

    private async Task<Dictionary<string, string>> ReadAll(string creditCode, Guid subject, Caller caller)
    {
        var answers = new Dictionary<string, string>();
        foreach (var route in Collections) answers[route] = await Read(route, creditCode, subject, caller);
        return answers;
    }

    /// <summary>The answer, without what is not the office's data: the ledger's provenance follows the chain's sealing.</summary>
    private async Task<string> Read(string route, string creditCode, Guid subject, Caller caller)
    {
        var url = route.Split(' ')[1].Replace("{code}", creditCode).Replace("{subject}", subject.ToString()).Replace("{tonight}", _tonight);
        var result = await Host.Scenario(x =>
        {
            x.Get.Url(url);
            caller.Sign(x);
            x.StatusCodeShouldBe(200);
        });
        if (url.Contains(".xlsx"))
        {
            var workbook = new MemoryStream();
            await result.Context.Response.Body.CopyToAsync(workbook);
            workbook.Position = 0;
            return JsonSerializer.Serialize(workbook.Query(useHeaderRow: true)
                .Select(row => ((IDictionary<string, object?>)row).ToDictionary(c => c.Key, c => c.Value?.ToString())));
        }
        var text = result.ReadAsText();
        if (!result.Context.Response.ContentType!.StartsWith("application/json")) return text;
        var json = JsonNode.Parse(text)!.AsObject();
        json.Remove("provenance");
        return json.ToJsonString();
    }
}
