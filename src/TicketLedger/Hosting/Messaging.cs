using Wolverine;
using Wolverine.RabbitMQ;

namespace TicketLedger.Hosting;

/// <summary>
/// Bureau messages travel over PostgreSQL-backed queues by default (nothing else to run) or RabbitMQ when configured.
/// </summary>
public static class Messaging
{
    public const string PostgreSql = "postgresql";
    public const string RabbitMq = "rabbitmq";

    public static string Transport(IConfiguration configuration)
    {
        var transport = (configuration[Settings.MessagingTransport] ?? PostgreSql).Trim().ToLowerInvariant();
        return transport is PostgreSql or RabbitMq
            ? transport
            : throw new InvalidOperationException($"{Settings.MessagingTransport} '{transport}' is not one of {PostgreSql}, {RabbitMq}.");
    }

    public static void UseConfiguredTransport(this WolverineOptions opts, IConfiguration configuration)
    {
        if (Transport(configuration) != RabbitMq) return;
        var uri = configuration[Settings.RabbitMqUri] is { Length: > 0 } configured ? configured : "amqp://guest:guest@localhost:5672";
        opts.UseRabbitMq(new Uri(uri)).AutoProvision();
    }
}
