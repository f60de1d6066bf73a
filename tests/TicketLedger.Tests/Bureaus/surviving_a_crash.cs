using System.Net;
using System.Net.Http.Json;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Bureaus;

/// <summary>
/// The service as a real process (the built TicketLedger.dll) on RabbitMQ, killed with SIGKILL right after answering
/// an escalation: the message waits in the outbox table and goes out once the service runs again. The broker is
/// stopped while the escalation is made, so the kill certainly lands before the message could have left.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class surviving_a_crash
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private static Dictionary<string, string> OnRabbitMq => new()
    {
        ["Messaging__Transport"] = "rabbitmq",
        ["Messaging__RabbitMqUri"] = RabbitMqBroker.Uri!,
    };

    private static readonly Dictionary<string, string> RabbitMq = new()
    {
        ["Messaging__Transport"] = "rabbitmq",
        ["Messaging__RabbitMqUri"] = RabbitMqBroker.Uri ?? "",
    };

    [RabbitMqFact]
    public async Task an_escalation_answered_just_before_a_kill_is_sent_after_the_restart()
    {
        var database = TestDatabase.ConnectionStringFor("tl_crash");

        using var first = ServiceProcess.Start(database, OnRabbitMq);
        Guid ticketId;
        try
        {
            using var api = await first.ReadyAsync(Timeout);
            await RabbitMqBroker.PurgeAsync("bureau.zjj");
            var subject = await Created(await api.PostAsJsonAsync("/api/subjects", SubjectScenarios.Enterprise()));
            ticketId = await Created(await api.PostAsJsonAsync("/api/tickets", TicketScenarios.RaiseBody(subject)));

            RabbitMqBroker.Ctl("stop_app");
            var escalate = await api.PostAsJsonAsync($"/api/tickets/{ticketId}/escalate", new { bureau = "zjj", reason = "需要质监站协调" });
            Assert.Equal(HttpStatusCode.NoContent, escalate.StatusCode);
            first.Kill();
        }
        finally
        {
            RabbitMqBroker.Ctl("start_app");
        }

        using var second = ServiceProcess.Start(database, OnRabbitMq);
        using (await second.ReadyAsync(Timeout))
        {
            // The bureau's queue also carries the transparency log's checkpoints (the bureaus witness them): read escalations only.
            static bool Escalation(RabbitMqBroker.Received m) => m.Type == BureauScenarios.EscalatedType;
            var received = await RabbitMqBroker.ReadAsync("bureau.zjj",
                r => r.Any(m => Escalation(m) && m.Body.GetProperty("ticketId").GetGuid() == ticketId), Timeout);
            var message = Assert.Single(received, Escalation);
            Assert.Equal("zjj", message.Body.GetProperty("bureau").GetString());
        }
    }

    private static async Task<Guid> Created(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
    }
}
