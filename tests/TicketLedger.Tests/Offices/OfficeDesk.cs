using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Offices;

/// <summary>A caller of the district host: a key, and the office it names in X-Office when it names one.</summary>
public sealed record Caller(string Key, string? Office = null)
{
    public void Sign(Scenario x)
    {
        x.WithKey(Key);
        if (Office is not null) x.InOffice(Office);
    }

    public override string ToString() => Office is null ? Key : $"{Key} naming {Office}";
}

/// <summary>
/// API-driven givens in one office, as its staff records them: subjects and tickets in a chosen state. Records are
/// dated in March 2020 so that the ledger's and the tickets' time travel have something to show.
/// </summary>
public sealed class OfficeDesk(IAlbaHost host, Caller staff)
{
    public static readonly DateTimeOffset RegisteredAt = DateTimeOffset.Parse("2020-02-20T09:00:00+08:00");
    public static readonly DateTimeOffset RaisedAt = DateTimeOffset.Parse("2020-03-01T10:00:00+08:00");

    public enum State { Open, Assigned, Escalated, Resolved }

    public async Task<Guid> Enterprise(string? creditCode = null, string name = "银河精密制造有限公司")
    {
        var result = await host.Scenario(x =>
        {
            x.Post.Json(new
            {
                kind = "enterprise", name, creditCode = creditCode ?? SubjectScenarios.NewCreditCode(), scale = "above",
                address = "郑州航空港区", occurredAt = RegisteredAt,
            }).ToUrl("/api/subjects");
            staff.Sign(x);
            x.StatusCodeShouldBe(201);
        });
        return result.Json().GetProperty("id").GetGuid();
    }

    public async Task<Guid> Ticket(State state, Guid? subject = null, string title = "口罩缺货")
    {
        var (id, _) = await Raise(subject ?? await Enterprise(), title);
        if (state is State.Assigned or State.Resolved) await Command(id, "assign", new { department = "xmb" });
        if (state is State.Escalated) await Command(id, "escalate", new { bureau = "jfj-gxc", reason = "需要协调" });
        if (state is State.Resolved) await Command(id, "resolve", new { resolution = "已调配口罩" });
        return id;
    }

    public async Task<(Guid Id, string Number)> Raise(Guid subject, string title = "口罩缺货", DateTimeOffset? raisedAt = null, string? key = null)
    {
        var raised = await host.Scenario(x =>
        {
            x.Post.Json(new { subjectId = subject, category = "supplies", title, description = "复工需要口罩两千只", source = "visit", occurredAt = raisedAt ?? RaisedAt })
                .ToUrl("/api/tickets");
            staff.Sign(x);
            if (key is not null) x.WithRequestHeader(Idempotency.Header, key);
            x.StatusCodeShouldBe(201);
        });
        var body = raised.Json();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("number").GetString()!);
    }

    public Task Command(Guid ticket, string action, object body) => Post($"/api/tickets/{ticket}/{action}", body);

    public Task<IScenarioResult> SubjectCommand(Guid subject, string action, object body, int status = 204) =>
        Post($"/api/subjects/{subject}/{action}", body, status);

    public Task<IScenarioResult> Post(string url, object body, int status = 204) =>
        host.Scenario(x =>
        {
            x.Post.Json(body).ToUrl(url);
            staff.Sign(x);
            x.StatusCodeShouldBe(status);
        });

    public async Task<JsonElement> Get(string url) => (await Read(url)).Json();

    public async Task<string> Text(string url) => (await Read(url)).ReadAsText();

    private Task<IScenarioResult> Read(string url) =>
        host.Scenario(x =>
        {
            x.Get.Url(url);
            staff.Sign(x);
        });
}

/// <summary>Straight to the store, in every office at once: what a refused request must have left unchanged.</summary>
public static class StoreCounts
{
    public static async Task<NpgsqlConnection> OpenConnection(this IAlbaHost host)
    {
        var connection = host.Services.GetRequiredService<IDocumentStore>().Storage.Database.CreateConnection();
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<(long Events, long Streams)> EventsAndStreams(this IAlbaHost host)
    {
        await using var connection = await host.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = $"select (select count(*) from {EventStore.Schema}.mt_events), (select count(*) from {EventStore.Schema}.mt_streams)";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
