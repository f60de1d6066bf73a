using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tests.Subjects;

namespace TicketLedger.Tests.Tickets;

/// <summary>
/// A keyed command's outcome is written with its claim, in the command's own transaction: no later write is needed to
/// replay it. Shown by forbidding every update of the key table while the commands run.
/// </summary>
public sealed class idempotency_outcomes_commit_with_the_command(ApiFixture fixture) : ApiTest(fixture)
{
    private string Table => $"{EventStore.Schema}.{Idempotency.TableName}";

    private async Task Sql(string sql)
    {
        await using var connection = Host.Services.GetRequiredService<IDocumentStore>().Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task a_created_resource_and_an_empty_response_replay_without_any_later_write()
    {
        var subject = await Host.GivenSubject();
        await Sql($"""
            create or replace function {EventStore.Schema}.test_no_key_updates() returns trigger language plpgsql as
            $$ begin raise exception 'idempotency outcomes must not be written after the command'; end $$;
            create trigger test_no_key_updates before update on {Table} for each row execute function {EventStore.Schema}.test_no_key_updates();
            """);
        try
        {
            var raiseKey = Guid.NewGuid().ToString("N");
            var first = await Keyed(x => x.Post.Json(TicketScenarios.RaiseBody(subject)).ToUrl("/api/tickets"), raiseKey, 201);
            var again = await Keyed(x => x.Post.Json(TicketScenarios.RaiseBody(subject)).ToUrl("/api/tickets"), raiseKey, 201);
            Assert.Equal(first.ReadAsText(), again.ReadAsText());
            Assert.Equal("true", again.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());

            var id = first.Json().GetProperty("id").GetGuid();
            var assignKey = Guid.NewGuid().ToString("N");
            await Keyed(x => x.Post.Json(new { department = "xmb" }).ToUrl($"/api/tickets/{id}/assign"), assignKey, 204);
            var replayed = await Keyed(x => x.Post.Json(new { department = "xmb" }).ToUrl($"/api/tickets/{id}/assign"), assignKey, 204);
            Assert.Equal("true", replayed.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());

            var registerKey = Guid.NewGuid().ToString("N");
            var body = SubjectScenarios.Site();
            var registered = await Keyed(x => x.Post.Json(body).ToUrl("/api/subjects"), registerKey, 201);
            var registeredAgain = await Keyed(x => x.Post.Json(body).ToUrl("/api/subjects"), registerKey, 201);
            Assert.Equal(registered.ReadAsText(), registeredAgain.ReadAsText());
        }
        finally
        {
            await Sql($"drop trigger test_no_key_updates on {Table}; drop function {EventStore.Schema}.test_no_key_updates();");
        }
    }

    private Task<IScenarioResult> Keyed(Action<Scenario> request, string key, int status) => Host.Scenario(x =>
    {
        request(x);
        x.WithKey(Keys.Staff);
        x.WithRequestHeader(Idempotency.Header, key);
        x.StatusCodeShouldBe(status);
    });
}
