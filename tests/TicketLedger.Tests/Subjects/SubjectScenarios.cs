using System.Text.Json;
using Alba;
using TicketLedger.Subjects;

namespace TicketLedger.Tests.Subjects;

/// <summary>API-driven "given" steps for subject tests.</summary>
public static class SubjectScenarios
{
    private const string Digits = "0123456789";

    /// <summary>A fresh valid code: random organisation body, both check characters computed.</summary>
    public static string NewCreditCode()
    {
        var body = new string(Random.Shared.GetItems(Digits.AsSpan(), 8));
        var first17 = "91330106" + body + SocialCreditCode.OrganisationCheckDigit(body);
        return first17 + SocialCreditCode.CheckCharacter(first17);
    }

    public static object Enterprise(string? creditCode = null, string scale = "above", string name = "杭州银河精密机械有限公司") => new
    {
        kind = "enterprise",
        name,
        creditCode = creditCode ?? NewCreditCode(),
        scale,
        address = "杭州市上城区银河路 88 号",
        contact = new { name = "王经理", phone = "13800000000" },
    };

    public static object Site(string? keyProjectLevel = "city", string name = "银河路地铁站施工项目") => new
    {
        kind = "site",
        name,
        keyProjectLevel,
        address = "银河路与望江路交叉口",
    };

    public static async Task<Guid> Register(this IAlbaHost host, object body)
    {
        var result = await host.Scenario(x =>
        {
            x.Post.Json(body).ToUrl("/api/subjects");
            x.WithRequestHeader("X-Api-Key", Keys.Staff);
            x.StatusCodeShouldBe(201);
        });
        return JsonDocument.Parse(result.ReadAsText()).RootElement.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> GetSubject(this IAlbaHost host, Guid id)
    {
        var result = await host.Scenario(x => { x.Get.Url($"/api/subjects/{id}"); x.WithRequestHeader("X-Api-Key", Keys.Auditor); });
        return JsonDocument.Parse(result.ReadAsText()).RootElement;
    }

    public static Task<IScenarioResult> PostCommand(this IAlbaHost host, Guid id, string action, object body, int status = 204,
        string key = Keys.Staff, string? correlationId = null) =>
        host.Scenario(x =>
        {
            x.Post.Json(body).ToUrl($"/api/subjects/{id}/{action}");
            x.WithRequestHeader("X-Api-Key", key);
            if (correlationId is not null) x.WithRequestHeader("X-Correlation-ID", correlationId);
            x.StatusCodeShouldBe(status);
        });
}
