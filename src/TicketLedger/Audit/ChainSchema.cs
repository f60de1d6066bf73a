using JasperFx.Events;
using Marten;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Tables;

namespace TicketLedger.Audit;

/// <summary>
/// The database half of the chain, installed by Marten's schema management (start-up, db-apply, db-patch):
/// <list type="bullet">
/// <item><c>tl_audit_link</c>: one row per event, written by an AFTER INSERT trigger on mt_events inside the
/// appending transaction. Its hash chains the event to the previous event of the same stream; Marten's stream
/// version check already serialises appends per stream, so this takes no lock of its own.</item>
/// <item><c>tl_audit_seal</c>: the global chain in sequence order, appended after commit by <see cref="ChainSealer"/>
/// only up to a sequence no running transaction can still fill in.</item>
/// </list>
/// </summary>
public sealed class ChainSchema(StoreOptions options) : FeatureSchemaBase("AuditChain", options.Advanced.Migrator)
{
    public const string Links = "tl_audit_link";
    public const string Seals = "tl_audit_seal";

    private readonly string _schema = options.Events.DatabaseSchemaName;

    public override Type StorageType => typeof(ChainSchema);

    // The trigger and the canonical-content function need mt_events: Marten creates the event store first.
    public override IEnumerable<Type> DependentTypes() => [typeof(IEvent)];

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        var links = new Table(new PostgresqlObjectName(_schema, Links, SchemaUtils.IdentifierUsage.General));
        links.AddColumn<long>("seq_id").AsPrimaryKey();
        links.AddColumn<Guid>("stream_id").NotNull();
        links.AddColumn<long>("version").NotNull();
        links.AddColumn("event_hash", "bytea").NotNull();
        links.Indexes.Add(new IndexDefinition($"ix_{Links}_stream_version") { Columns = ["stream_id", "version"], IsUnique = true });
        yield return links;

        var seals = new Table(new PostgresqlObjectName(_schema, Seals, SchemaUtils.IdentifierUsage.General));
        seals.AddColumn<long>("seq_id").AsPrimaryKey();
        seals.AddColumn<long>("prev_seq");
        seals.AddColumn("chain_hash", "bytea").NotNull();
        seals.AddColumn("sealed_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        yield return seals;

        yield return new ChainTriggers(_schema);
    }
}

/// <summary>Registration: the schema feature in the store, the sealer and the chain queries in the container.</summary>
public static class AuditChainRegistration
{
    public static WebApplicationBuilder AddAuditChain(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            // Marten creates mt_events only once it knows an event type; knowing them all up front lets start-up and
            // db-apply install the chain on a fresh database before the first append.
            opts.Events.AddEventTypes(typeof(IBusinessEvent).Assembly.GetTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(typeof(IBusinessEvent))));
            opts.Storage.Add(new ChainSchema(opts));
        });
        builder.Services.Configure<ChainSealerOptions>(builder.Configuration.GetSection("Audit"));
        builder.Services.AddSingleton<AuditChain>();
        builder.Services.AddHostedService<ChainSealer>();
        return builder;
    }
}
