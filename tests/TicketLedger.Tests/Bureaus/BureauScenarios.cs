using System.Text.Json;
using Alba;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Bureaus;

public static class BureauScenarios
{
    public const string ReplyType = "ticketledger.bureau-reply.v1";
    public const string ReferralType = "ticketledger.problem-referral.v1";
    public const string EscalatedType = "ticketledger.ticket-escalated-to-bureau.v1";
    public const string ResolvedType = "ticketledger.ticket-resolved-notice.v1";

    public static async Task<IReadOnlyList<JsonElement>> History(this IAlbaHost host, Guid ticketId) =>
        (await host.Scenario(x => { x.Get.Url($"/api/tickets/{ticketId}/history"); x.WithKey(Keys.Auditor); }))
        .Json().GetProperty("events").EnumerateArray().ToList();

    public static async Task<int> CountOf(this IAlbaHost host, Guid ticketId, string type) =>
        (await host.History(ticketId)).Count(e => e.GetProperty("type").GetString() == type);

    public static async Task<JsonElement> DeadLetters(this IAlbaHost host) =>
        (await host.Scenario(x => { x.Get.Url("/api/admin/dead-letters?pageSize=200"); x.WithKey(Keys.Admin); })).Json();

    /// <summary>The dead letters whose stored body mentions <paramref name="marker"/> (tests share the store).</summary>
    public static async Task<List<JsonElement>> DeadLettersAbout(this IAlbaHost host, string marker) =>
        (await host.DeadLetters()).GetProperty("items").EnumerateArray()
        .Where(i => i.GetProperty("message").ValueKind != JsonValueKind.Null && i.GetProperty("message").GetRawText().Contains(marker)).ToList();
}
