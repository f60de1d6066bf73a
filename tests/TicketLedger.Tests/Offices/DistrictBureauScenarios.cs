using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Subjects;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Offices;

/// <summary>Givens for the bureaus' tests on the district host: the Development keys, which must name their office.</summary>
public static class DistrictBureauScenarios
{
    public static async Task<Guid> GivenSubjectIn(this IAlbaHost host, string office)
    {
        var id = Guid.CreateVersion7();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession(office);
        session.Events.StartStream(id, new SubjectRegistered(id, office, SubjectKind.Enterprise, "航空港精密制造有限公司",
            "91350200MA2XXXXXX0", EnterpriseScale.Above, KeyProjectLevel.None, null, null, DateTimeOffset.UtcNow.AddYears(-8)));
        await session.SaveChangesAsync();
        return id;
    }

    public static async Task<(Guid Id, string Number)> GivenTicketIn(this IAlbaHost host, string office)
    {
        var subject = await host.GivenSubjectIn(office);
        var result = await host.Scenario(x =>
        {
            x.Post.Json(TicketScenarios.RaiseBody(subject)).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.InOffice(office);
            x.StatusCodeShouldBe(201);
        });
        var body = result.Json();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("number").GetString()!);
    }

    public static Task EscalateIn(this IAlbaHost host, string office, Guid id, string bureau) =>
        host.CommandIn(office, id, "escalate", new { bureau, reason = "需要协调" });

    public static Task ResolveIn(this IAlbaHost host, string office, Guid id) =>
        host.CommandIn(office, id, "resolve", new { resolution = "已调配口罩" });

    private static Task CommandIn(this IAlbaHost host, string office, Guid id, string action, object body) => host.Scenario(x =>
    {
        x.Post.Json(body).ToUrl($"/api/tickets/{id}/{action}");
        x.WithKey(Keys.Staff);
        x.InOffice(office);
        x.StatusCodeShouldBe(204);
    });

    /// <summary>The ticket as its office's auditor reads it, or null when that office has no such ticket (404).</summary>
    public static async Task<JsonElement?> TicketIn(this IAlbaHost host, string office, Guid id, string key = Keys.Auditor)
    {
        var result = await host.Scenario(x => { x.Get.Url($"/api/tickets/{id}"); x.WithKey(key); x.InOffice(office); x.IgnoreStatusCode(); });
        return result.Context.Response.StatusCode switch
        {
            200 => result.Json(),
            404 => null,
            var status => throw new InvalidOperationException($"GET /api/tickets/{id} in {office} answered {status}: {result.ReadAsText()}"),
        };
    }

    public static async Task<IReadOnlyList<JsonElement>> HistoryIn(this IAlbaHost host, string office, Guid id) =>
        (await host.Scenario(x => { x.Get.Url($"/api/tickets/{id}/history"); x.WithKey(Keys.Auditor); x.InOffice(office); }))
        .Json().GetProperty("events").EnumerateArray().ToList();

    public static async Task<long> TicketCountIn(this IAlbaHost host, string office) =>
        (await host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(Keys.Auditor); x.InOffice(office); }))
        .Json().GetProperty("total").GetInt64();
}
