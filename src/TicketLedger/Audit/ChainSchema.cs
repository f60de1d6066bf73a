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
    public const string Rekeys = "tl_office_rekey";

    private readonly string _schema = options.Events.DatabaseSchemaName;

    public override Type StorageType => typeof(ChainSchema);

    // The trigger and the canonical-content function need mt_events: Marten creates the event store first.
    public override IEnumerable<Type> DependentTypes() => [typeof(IEvent)];

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        var links = new Table(new PostgresqlObjectName(_schema, Links, SchemaUtils.IdentifierUsage.General));
        links.AddColumn<long>("seq_id").AsPrimaryKey();
        // Keyed by tenant as well: under conjoined tenancy two offices may hold streams with the same id.
        links.AddColumn<string>("tenant_id").NotNull();
        links.AddColumn<Guid>("stream_id").NotNull();
        links.AddColumn<long>("version").NotNull();
        links.AddColumn("event_hash", "bytea").NotNull();
        links.Indexes.Add(new IndexDefinition($"ix_{Links}_tenant_stream_version") { Columns = ["tenant_id", "stream_id", "version"], IsUnique = true });
        yield return links;

        var seals = new Table(new PostgresqlObjectName(_schema, Seals, SchemaUtils.IdentifierUsage.General));
        seals.AddColumn<long>("seq_id").AsPrimaryKey();
        seals.AddColumn<long>("prev_seq");
        seals.AddColumn("chain_hash", "bytea").NotNull();
        seals.AddColumn("sealed_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        yield return seals;

        // Written once by LegacyOffice when a store from before offices is upgraded; the canonical form reads it.
        var rekeys = new Table(new PostgresqlObjectName(_schema, Rekeys, SchemaUtils.IdentifierUsage.General));
        rekeys.AddColumn<string>("from_tenant").AsPrimaryKey();
        rekeys.AddColumn<string>("to_tenant").NotNull();
        rekeys.AddColumn<long>("up_to_seq").NotNull();
        rekeys.AddColumn("rekeyed_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        yield return rekeys;

        yield return new ChainTriggers(_schema);
    }
}
