using Marten;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using TicketLedger.Tickets;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;

namespace TicketLedger.Bureaus;

/// <summary>
/// The queues of docs/messages.md on whichever transport Messaging:Transport selects: a sending endpoint
/// bureau.&lt;code&gt; per configured bureau (durable outbox) and the office.inbox listener (durable inbox).
/// </summary>
public static class BureauMessaging
{
    public const string OfficeInbox = "office.inbox";

    public static string QueueFor(string bureau) => "bureau." + bureau;

    public static WebApplicationBuilder AddBureaus(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ITicketNotices, BureauNotices>();
        // Registered, not left to first use, so start-up migrates its table before an upgrade moves its rows into an office.
        builder.Services.ConfigureMarten(store => store.Schema.For<BureauReferral>());
        var transport = Messaging.Transport(builder.Configuration);
        var bureaus = builder.Configuration.GetSection(Settings.Reference).Get<ReferenceOptions>()?.Bureaus.Select(b => b.Code).ToList() ?? [];
        builder.Services.ConfigureWolverine(opts =>
        {
            // Bureaus write camelCase JSON by hand, as docs/messages.md shows; reading stays lenient about casing.
            opts.UseSystemTextJsonForSerialization(json =>
            {
                Json.Configure(json);
                json.PropertyNameCaseInsensitive = true;
            });

            if (transport == Messaging.RabbitMq)
            {
                // Rejected messages belong in Wolverine's PostgreSQL dead-letter store (listed and replayed by the
                // admin endpoints), not in a RabbitMQ dead-letter queue nobody watches.
                opts.ListenToRabbitQueue(OfficeInbox).UseDurableInbox().DisableDeadLetterQueueing();
                foreach (var bureau in bureaus) opts.Publish(x => x.ToRabbitQueue(QueueFor(bureau)).UseDurableOutbox());
            }
            else
            {
                opts.ListenToPostgresqlQueue(OfficeInbox).UseDurableInbox();
                foreach (var bureau in bureaus) opts.Publish(x => x.ToPostgresqlQueue(QueueFor(bureau)).UseDurableOutbox());
            }

            opts.OnException<BureauMessageRejected>().MoveToErrorQueue();
            // A duplicate delivered at the same moment loses the append race; on retry it finds the first one's effect.
            opts.OnException<JasperFx.ConcurrencyException>().RetryWithCooldown(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1));
            opts.OnException<Marten.Exceptions.ExistingStreamIdCollisionException>().Or<JasperFx.Events.ExistingStreamIdCollisionException>()
                .RetryWithCooldown(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1));
        });
        return builder;
    }
}
