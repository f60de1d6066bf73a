using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Subjects;

namespace TicketLedger.Tests.Tickets;

/// <summary>API-driven givens for ticket tests. Subjects are appended straight to the event store so these tests do not depend on the Subjects area.</summary>
public static class TicketScenarios
{
    public static async Task<Guid> GivenSubject(this IAlbaHost host)
    {
        var id = Guid.CreateVersion7();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe");
        session.Events.StartStream(id, new SubjectRegistered(id, "yinhe", SubjectKind.Enterprise, "银河精密制造有限公司",
            "91350200MA2XXXXXX0", EnterpriseScale.Above, KeyProjectLevel.None, null, null, DateTimeOffset.UtcNow.AddYears(-8)));
        await session.SaveChangesAsync();
        return id;
    }

    public static object RaiseBody(Guid subjectId, DateTimeOffset? occurredAt = null, string category = "supplies") => new
    {
        subjectId, category, title = "口罩缺货", description = "复工需要口罩两千只", source = "visit", occurredAt,
    };

    public static async Task<(Guid Id, string Number)> GivenTicket(this IAlbaHost host, Guid? subjectId = null, DateTimeOffset? occurredAt = null)
    {
        var subject = subjectId ?? await host.GivenSubject();
        var result = await host.Scenario(x =>
        {
            x.Post.Json(RaiseBody(subject, occurredAt)).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(201);
        });
        var body = result.Json();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("number").GetString()!);
    }

    public static Task<IScenarioResult> Command(this IAlbaHost host, Guid ticketId, string action, object body,
        int status = 204, string key = Keys.Staff, string? ifMatch = null) =>
        host.Scenario(x =>
        {
            x.Post.Json(body).ToUrl($"/api/tickets/{ticketId}/{action}");
            x.WithKey(key);
            if (ifMatch is not null) x.WithRequestHeader("If-Match", ifMatch);
            x.StatusCodeShouldBe(status);
        });

    public static async Task<JsonElement> GetTicket(this IAlbaHost host, Guid ticketId, string query = "", string key = Keys.Staff)
    {
        var result = await host.Scenario(x => { x.Get.Url($"/api/tickets/{ticketId}{query}"); x.WithKey(key); });
        return result.Json();
    }

    public static Task Assign(this IAlbaHost host, Guid id, string department = "xmb") => host.Command(id, "assign", new { department });
    public static Task Respond(this IAlbaHost host, Guid id, DateTimeOffset? occurredAt = null) => host.Command(id, "respond", new { message = "已联系供应商", occurredAt });
    public static Task Escalate(this IAlbaHost host, Guid id, string bureau = "jfj-gxc") => host.Command(id, "escalate", new { bureau, reason = "需要协调" });
    public static Task Resolve(this IAlbaHost host, Guid id) => host.Command(id, "resolve", new { resolution = "已调配口罩" });
}
