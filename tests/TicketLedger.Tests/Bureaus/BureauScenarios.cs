using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Bureaus;
using Wolverine;
using Wolverine.Tracking;

namespace TicketLedger.Tests.Bureaus;

public static class BureauScenarios
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

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

    /// <summary>
    /// Runs an action and waits for the messages it causes, through the queues too (external: the office inbox);
    /// messages to a bureau queue have no listener here, so for them the session ends once they are sent.
    /// </summary>
    public static Task<ITrackedSession> Tracked(this IAlbaHost host, Func<Task> action, bool expectFailure = false, bool external = true)
    {
        var tracking = host.TrackActivity().Timeout(Timeout);
        if (external) tracking = tracking.IncludeExternalTransports();
        if (expectFailure) tracking = tracking.DoNotAssertOnExceptionsDetected();
        return tracking.ExecuteAndWaitAsync((Func<IMessageContext, Task>)(_ => action()));
    }

    /// <summary>A bureau's message put on office.inbox, as a bureau on the PostgreSQL transport sends it; waits until it is handled.</summary>
    public static Task<ITrackedSession> ToOfficeInbox(this IAlbaHost host, object message, bool expectFailure = false) =>
        host.Tracked(async () => await host.MessageBus().EndpointFor(BureauMessaging.OfficeInbox).SendAsync(message), expectFailure);

    /// <summary>What a bureau reading the PostgreSQL queue would find: the queue is a table in the service's database.</summary>
    public static async Task<long> QueuedIn(this IAlbaHost host, string queue, Guid envelopeId)
    {
        await using var connection = host.Services.GetRequiredService<IDocumentStore>().Options.Tenancy.Default.Database.CreateConnection();
        await connection.OpenAsync();
        var table = "wolverine_queue_" + queue.Replace('-', '_');
        await using var find = new Npgsql.NpgsqlCommand("select table_schema from information_schema.tables where table_name = @t", connection);
        find.Parameters.AddWithValue("t", table);
        var schema = (string?)await find.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no table {table}");
        await using var count = new Npgsql.NpgsqlCommand($"select count(*) from \"{schema}\".\"{table}\" where id = @id", connection);
        count.Parameters.AddWithValue("id", envelopeId);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
