using System.Text.Json;
using Alba;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Audit;
using TicketLedger.Tests.Subjects;

namespace TicketLedger.Tests.Offices;

/// <summary>Givens recorded through the API in a named office (the local staff key may use every office and says which in X-Office).</summary>
public sealed class DistrictScenarios(IAlbaHost host)
{
    public static DateTimeOffset Beijing(string date, int hour = 10, int minute = 0) =>
        new(DateOnly.Parse(date).ToDateTime(new TimeOnly(hour, minute)), TimeSpan.FromHours(8));

    public async Task<JsonElement> Post(string office, string url, object body, int status = 201)
    {
        var result = await host.Scenario(x =>
        {
            x.Post.Json(body).ToUrl(url);
            x.WithKey(Keys.Staff);
            x.InOffice(office);
            x.StatusCodeShouldBe(status);
        });
        return status == 204 ? default : result.Json();
    }

    /// <summary>Registered on the first of February 2020, so it counts on every date the tests ask about.</summary>
    public async Task<Guid> Enterprise(string office, string scale = "above", string name = "银河精密制造有限公司")
    {
        var body = new
        {
            kind = "enterprise", name, creditCode = SubjectScenarios.NewCreditCode(), scale, address = "郑州航空港区",
            contact = new { name = "王经理", phone = "13800000000" }, occurredAt = Beijing("2020-02-01"),
        };
        return (await Post(office, "/api/subjects", body)).GetProperty("id").GetGuid();
    }

    public Task Visit(string office, Guid subject, string on) =>
        Post(office, $"/api/subjects/{subject}/visits", new { visitedOn = on, staff = "张三", occurredAt = Beijing(on, 16) }, 204);

    public Task Resume(string office, Guid subject, string on, int headcount, int workersReturned) =>
        Post(office, $"/api/subjects/{subject}/resumption",
            new { resumedOn = on, headcount, workersReturned, capacityPercent = 80, occurredAt = Beijing(on, 16) }, 204);

    public Task Fund(string office, Guid subject, string batch, decimal amountYuan, string on) =>
        Post(office, $"/api/subjects/{subject}/funds", new { batch, amountYuan, disbursedOn = on, occurredAt = Beijing(on, 16) }, 204);

    public async Task<Guid> Raise(string office, Guid subject, DateTimeOffset at, string category = "supplies", string title = "口罩缺货") =>
        (await Post(office, "/api/tickets",
            new { subjectId = subject, category, title, description = "复工需要口罩两千只", source = "visit", occurredAt = at })).GetProperty("id").GetGuid();

    public Task Command(string office, Guid ticket, string action, object body) => Post(office, $"/api/tickets/{ticket}/{action}", body, 204);

    public Task Respond(string office, Guid ticket, DateTimeOffset at) => Command(office, ticket, "respond", new { message = "已联系供应商", occurredAt = at });

    /// <summary>Assigned to a department, then resolved, at the same instant.</summary>
    public async Task Resolve(string office, Guid ticket, DateTimeOffset at)
    {
        await Command(office, ticket, "assign", new { department = "xmb", occurredAt = at });
        await Command(office, ticket, "resolve", new { resolution = "已调配口罩", occurredAt = at });
    }

    public Task Escalate(string office, Guid ticket, string bureau) => Command(office, ticket, "escalate", new { bureau, reason = "需要协调" });

    public Task ReturnVisit(string office, Guid ticket, bool satisfied, DateTimeOffset at) =>
        Command(office, ticket, "return-visits", new { resolvedConfirmed = true, satisfied, occurredAt = at });

    /// <summary>
    /// The ledger projection caught up (Marten's own wait), and the chain sealed up to the last event, so that two reads
    /// of the same figures name the same chain head.
    /// </summary>
    public async Task Settle()
    {
        await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        foreach (var chain in host.Services.GetRequiredService<AuditChains>().All) await chain.SealAsync();
    }

    public async Task<JsonElement> Get(string url, string key = Keys.Auditor, string? office = null)
    {
        var result = await host.Scenario(x =>
        {
            x.Get.Url(url);
            x.WithKey(key);
            if (office is not null) x.InOffice(office);
        });
        return result.Json();
    }

    public async Task<string> GetText(string url, string key = Keys.Auditor)
    {
        var result = await host.Scenario(x => { x.Get.Url(url); x.WithKey(key); });
        return result.ReadAsText();
    }
}
