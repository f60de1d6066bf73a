using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace TicketLedger.Tests.Bureaus;

/// <summary>
/// The RabbitMQ the broker tests run against: TICKETLEDGER_TEST_RABBITMQ (exported by .ci/services). Without it the
/// tests are reported as skipped, never as passed.
/// </summary>
public static class RabbitMqBroker
{
    public const string Variable = "TICKETLEDGER_TEST_RABBITMQ";

    public static string? Uri => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } uri ? uri : null;

    public static async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri(Uri ?? throw new InvalidOperationException(Variable + " is not set")) }.CreateConnectionAsync();

    public static async Task PurgeAsync(params string[] queues)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        // The service declared the queues (with its own arguments) when it started.
        foreach (var queue in queues) await channel.QueuePurgeAsync(queue);
    }

    /// <summary>What a bureau would send: a JSON body and the message identity as the AMQP type (docs/messages.md).</summary>
    public static Task PublishAsync(string queue, string messageType, object body, string? messageId = null) =>
        PublishRawAsync(queue, messageType, JsonSerializer.Serialize(body, new JsonSerializerOptions(JsonSerializerDefaults.Web)), messageId);

    public static async Task PublishRawAsync(string queue, string messageType, string body, string? messageId = null)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties
        {
            Type = messageType,
            MessageId = messageId ?? Guid.NewGuid().ToString(),
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
        };
        await channel.BasicPublishAsync("", queue, mandatory: false, basicProperties: properties, body: Encoding.UTF8.GetBytes(body));
    }

    public sealed record Received(string? Type, JsonElement Body);

    /// <summary>Takes messages off a bureau queue, as the bureau would, until <paramref name="enough"/> or the deadline.</summary>
    public static async Task<List<Received>> ReadAsync(string queue, Func<List<Received>, bool> enough, TimeSpan timeout)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var received = new List<Received>();
        var deadline = Stopwatch.StartNew();
        while (!enough(received) && deadline.Elapsed < timeout)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: true);
            if (message is null)
            {
                await Task.Delay(100); // polling an external queue with a deadline: there is no event to wait on
                continue;
            }
            received.Add(new Received(message.BasicProperties.Type, JsonDocument.Parse(message.Body).RootElement.Clone()));
        }
        return received;
    }

    /// <summary>Stops and starts the RabbitMQ application (the Erlang node stays up), as an outage of the broker.</summary>
    public static void Ctl(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", command) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.WaitForExit(TimeSpan.FromSeconds(90));
        if (process.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl {command} failed: {process.StandardError.ReadToEnd()}");
    }
}

/// <summary>A fact that needs RabbitMQ: skipped (with the reason) when TICKETLEDGER_TEST_RABBITMQ is not set.</summary>
public sealed class RabbitMqFactAttribute : FactAttribute
{
    public RabbitMqFactAttribute()
    {
        if (RabbitMqBroker.Uri is null) Skip = $"{RabbitMqBroker.Variable} is not set: no RabbitMQ to test against (.ci/services starts one).";
    }
}

/// <summary>A host on RabbitMQ with a database of its own; the office and bureau queues are purged before each test.</summary>
public sealed class RabbitMqFixture : AppFixture
{
    protected override string DatabaseName => "tl_rabbitmq";

    protected override void Configure(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        builder.UseSetting("Messaging:Transport", "rabbitmq");
        builder.UseSetting("Messaging:RabbitMqUri", RabbitMqBroker.Uri);
    }

    public override async Task InitializeAsync()
    {
        if (RabbitMqBroker.Uri is null) return;
        await base.InitializeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "rabbitmq";
}
