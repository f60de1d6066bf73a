using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tests.Bureaus;
using TicketLedger.Tests.Subjects;

namespace TicketLedger.Tests.Tickets;

/// <summary>
/// A keyed request that dies with its process, mid-command, committed nothing: its retry on the restarted service
/// must run the command once, not be refused as "still being processed". The raise is held in its COMMIT by a lock on
/// the ticket number counter, so the kill certainly lands while it runs.
/// </summary>
public sealed class retrying_after_a_crash
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task a_key_whose_request_died_with_the_process_runs_once_on_retry()
    {
        var database = TestDatabase.ConnectionStringFor("tl_killed_key");
        var key = Guid.NewGuid().ToString("N");
        object raise;

        using (var first = ServiceProcess.Start(database))
        {
            using var api = await first.ReadyAsync(Timeout);
            var subject = await IdOf(await api.PostAsJsonAsync("/api/subjects", SubjectScenarios.Enterprise()));
            raise = TicketScenarios.RaiseBody(subject);
            await IdOf(await api.PostAsJsonAsync("/api/tickets", raise));

            await using var counter = new NpgsqlConnection(database);
            await counter.OpenAsync();
            await using var hold = await counter.BeginTransactionAsync();
            await new NpgsqlCommand($"select * from {EventStore.Schema}.ticket_numbers for update", counter, hold).ExecuteNonQueryAsync();

            var inFlight = api.SendAsync(Keyed(raise, key));
            await Eventually.Until(() => SessionsWaitingForAsync(database, counter.ProcessID), waiting => waiting > 0, Timeout, "the raise to wait on the counter");
            first.Kill();
            await Assert.ThrowsAnyAsync<Exception>(() => inFlight);
        }

        using var second = ServiceProcess.Start(database);
        using var retryApi = await second.ReadyAsync(Timeout);
        var retried = await retryApi.SendAsync(Keyed(raise, key));
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        var again = await retryApi.SendAsync(Keyed(raise, key));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues(Idempotency.ReplayedHeader).Single());
        Assert.Equal(await retried.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());

        var list = await retryApi.GetFromJsonAsync<JsonElement>("/api/tickets");
        Assert.Equal(2, list.GetProperty("total").GetInt64());
    }

    private static HttpRequestMessage Keyed(object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(body) };
        request.Headers.Add(Idempotency.Header, key);
        return request;
    }

    private static async Task<long> SessionsWaitingForAsync(string database, int holder)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        return await LockWaits.SessionsBlockedByAsync(connection, holder);
    }

    private static async Task<Guid> IdOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
