using System.Net.Http.Json;
using Alba;
using JasperFx;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Hosting;

/// <summary>A server fault is logged once, at error, with the correlation id the client was told to quote; client errors
/// (a malformed body, an expected conflict) at debug, without a stack trace.</summary>
[Collection(LoggedCollection.Name)]
public sealed class logging_errors(LoggedFixture fixture) : IAsyncLifetime
{
    private IAlbaHost Host => fixture.Host;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task an_unexpected_failure_is_a_500_logged_once_at_error_with_its_correlation_id()
    {
        // A read model's table gone missing under the running service: a genuine server fault, not an outage.
        await Sql("alter table ticketledger.mt_doc_ticketview rename to mt_doc_ticketview_away");
        IScenarioResult? result = null;
        try
        {
            await fixture.LoggedDuring(async () => result = await Host.Scenario(x =>
            {
                x.Get.Url("/api/tickets");
                x.WithKey(Keys.Staff);
                x.WithRequestHeader("X-Correlation-ID", "fault-500-test");
                x.StatusCodeShouldBe(500);
                x.ContentTypeShouldBe("application/problem+json");
            }));
        }
        finally
        {
            await Sql("alter table ticketledger.mt_doc_ticketview_away rename to mt_doc_ticketview");
        }

        Assert.Contains("fault-500-test", result!.ReadAsText());
        var errors = fixture.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        var logged = Assert.Single(errors, e => e.Message.Contains("fault-500-test"));
        Assert.True(logged.Exception.Involves<PostgresException>(p => p.SqlState == PostgresErrorCodes.UndefinedTable));
        Assert.Single(errors, e => e.Exception.Involves<PostgresException>(p => p.SqlState == PostgresErrorCodes.UndefinedTable));
    }

    [Fact]
    public async Task a_malformed_body_is_a_400_logged_at_debug_without_a_trace()
    {
        var logged = await fixture.LoggedDuring(() => Host.Scenario(x =>
        {
            x.Post.Text("""{"kind":""").ToUrl("/api/subjects");
            x.WithRequestHeader("Content-Type", "application/json");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(400);
        }));

        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Warning && e.Exception.Involves<System.Text.Json.JsonException>());
        var debug = Assert.Single(logged, e => e.Message.Contains("deserialize JSON"));
        Assert.Equal((LogLevel.Debug, null), (debug.Level, debug.Exception));
    }

    [Fact]
    public async Task optimistic_concurrency_conflicts_are_409s_without_error_logs()
    {
        var (id, _) = await Host.GivenTicket();
        var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Keys.Staff);
        var conflicts = 0;
        var logged = await fixture.LoggedDuring(async () =>
        {
            // Parallel commands on one ticket race to append the same version; the losers are Marten concurrency conflicts.
            for (var round = 0; round < 10 && conflicts == 0; round++)
            {
                var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
                {
                    using var response = await client.PostAsJsonAsync($"/api/tickets/{id}/respond", new { message = "已联系" });
                    return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
                }));
                conflicts = answers.Count(a => a.Item1 == 409 && a.Item2.Contains("concurrency"));
            }
        });

        Assert.True(conflicts > 0, "no optimistic concurrency conflict happened");
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Warning &&
            (e.Exception.Involves<ConcurrencyException>() || e.Exception.Involves<PostgresException>()));
    }

    private async Task Sql(string sql)
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
