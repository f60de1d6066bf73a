using System.Text.Json;
using Alba;
using TicketLedger.Bureaus;
using TicketLedger.Tests.Tickets;
using Wolverine;
using Wolverine.Tracking;

namespace TicketLedger.Tests.Bureaus;

/// <summary>The broker of docker-compose.yml: the service on RabbitMQ, a bureau played by a plain AMQP client.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class exchanging_messages_over_rabbitmq(RabbitMqFixture fixture) : IAsyncLifetime
{
    public static readonly string[] Queues = [BureauMessaging.OfficeInbox, "bureau.jfj-gxc", "bureau.rsj", "bureau.zjj", "bureau.scjgj"];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private IAlbaHost Host => fixture.Host;

    public async Task InitializeAsync()
    {
        if (RabbitMqBroker.Uri is null) return;
        await fixture.ResetAsync();
        await RabbitMqBroker.PurgeAsync(Queues);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Publishes as a bureau would (the current contract, v2) and waits until the service has received and handled it.</summary>
    private Task ReplyAsBureau(Guid ticketId, string messageId, string bureau = "jfj-gxc") =>
        Host.TrackActivity().IncludeExternalTransports().Timeout(Timeout)
            .WaitForMessageToBeReceivedAt<BureauReply>(Host)
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(_ => RabbitMqBroker.PublishAsync(BureauMessaging.OfficeInbox, BureauReply.Type,
                new { ticketId, bureau, message = "已协调解决", messageId })));

    private static Task<List<RabbitMqBroker.Received>> ReadBureauQueue(string bureau, IReadOnlyCollection<Guid> tickets) =>
        RabbitMqBroker.ReadAsync("bureau." + bureau,
            received => tickets.All(id => received.Any(m => m.Body.GetProperty("ticketId").GetGuid() == id)), Timeout);

    [RabbitMqFact]
    public async Task an_escalation_reaches_the_bureau_queue_and_the_bureau_reply_reaches_the_ticket()
    {
        var (id, number) = await Host.GivenTicket();
        await Host.Escalate(id, "jfj-gxc");

        var message = Assert.Single(await ReadBureauQueue("jfj-gxc", [id]));
        Assert.Equal(BureauScenarios.EscalatedType, message.Type);
        Assert.Equal((id, number, "jfj-gxc", "银河精密制造有限公司"), (message.Body.GetProperty("ticketId").GetGuid(),
            message.Body.GetProperty("number").GetString(), message.Body.GetProperty("bureau").GetString(), message.Body.GetProperty("subjectName").GetString()));

        await ReplyAsBureau(id, "gxc-0001");
        await ReplyAsBureau(id, "gxc-0001");
        Assert.Equal(1, await Host.CountOf(id, "BureauReplied"));

        await Host.Resolve(id);
        var notice = Assert.Single(await ReadBureauQueue("jfj-gxc", [id]));
        Assert.Equal((BureauScenarios.ResolvedType, "已调配口罩"), (notice.Type, notice.Body.GetProperty("resolution").GetString()));
    }

    [RabbitMqFact]
    public async Task escalations_made_while_the_broker_is_down_are_all_delivered_once_it_returns()
    {
        var tickets = new List<Guid>();
        for (var i = 0; i < 3; i++) tickets.Add((await Host.GivenTicket()).Id);

        RabbitMqBroker.Ctl("stop_app");
        try
        {
            foreach (var id in tickets) await Host.Escalate(id, "rsj");
        }
        finally
        {
            RabbitMqBroker.Ctl("start_app");
        }

        var received = await ReadBureauQueue("rsj", tickets);
        Assert.Equal(tickets.Order(), received.Select(m => m.Body.GetProperty("ticketId").GetGuid()).Order());

        foreach (var id in tickets)
        {
            await ReplyAsBureau(id, "rsj-" + id, "rsj");
            await ReplyAsBureau(id, "rsj-" + id, "rsj");
        }
        foreach (var id in tickets) Assert.Equal(1, await Host.CountOf(id, "BureauReplied"));
    }

    [RabbitMqFact]
    public async Task a_reply_the_office_cannot_apply_waits_in_the_dead_letter_store()
    {
        var (id, _) = await Host.GivenTicket();
        var marker = "gxc-" + Guid.NewGuid().ToString("N");
        await RabbitMqBroker.PublishAsync(BureauMessaging.OfficeInbox, BureauScenarios.ReplyType,
            new { ticketId = id, bureau = "jfj-gxc", message = "已协调", messageId = marker });

        var dead = await Eventually.Until(() => Host.DeadLettersAbout(marker), d => d.Count == 1, Timeout, "the refused reply in the dead-letter store");
        Assert.Contains("not escalated to that bureau", dead[0].GetProperty("reason").GetString());
        Assert.Equal(BureauScenarios.ReplyType, dead[0].GetProperty("messageType").GetString());
    }

    [RabbitMqFact]
    public async Task an_unreadable_message_waits_in_the_dead_letter_store_with_its_body()
    {
        var marker = Guid.NewGuid().ToString("N");
        await RabbitMqBroker.PublishRawAsync(BureauMessaging.OfficeInbox, BureauScenarios.ReplyType, "{\"ticketId\": \"" + marker + "\", oops");

        var dead = await Eventually.Until(() => Host.DeadLettersAbout(marker), d => d.Count == 1, Timeout, "the unreadable reply in the dead-letter store");
        Assert.Equal(JsonValueKind.String, dead[0].GetProperty("message").ValueKind);
        Assert.False(string.IsNullOrEmpty(dead[0].GetProperty("reason").GetString()));
    }
}
