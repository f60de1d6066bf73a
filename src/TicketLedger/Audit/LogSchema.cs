using JasperFx.Events;
using Marten;
using TicketLedger.Hosting;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TicketLedger.Audit;

/// <summary>
/// The transparency log's tables (docs/audit.md), installed by Marten's schema management like the chain's:
/// <list type="bullet">
/// <item><c>tl_log_leaf</c>: leaf index → the event's sequence, one row per row of mt_events, in sequence order.</item>
/// <item><c>tl_log_node</c>: the hash of every complete perfect subtree (level 0 = the leaf hashes), so any proof is a
/// few lookups and nothing ever rereads the leaves.</item>
/// <item><c>tl_log_checkpoint</c>: every signed checkpoint issued.</item>
/// <item><c>tl_log_cosignature</c>: witnesses' cosignatures of those checkpoints.</item>
/// </list>
/// </summary>
public sealed class LogSchema(StoreOptions options) : FeatureSchemaBase("TransparencyLog", options.Advanced.Migrator)
{
    public const string Leaves = "tl_log_leaf";
    public const string Nodes = "tl_log_node";
    public const string Checkpoints = "tl_log_checkpoint";
    public const string Cosignatures = "tl_log_cosignature";

    private readonly string _schema = options.Events.DatabaseSchemaName;

    public override Type StorageType => typeof(LogSchema);

    // The truncate trigger hangs on mt_events: Marten creates the event store first.
    public override IEnumerable<Type> DependentTypes() => [typeof(IEvent)];

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        var leaves = Table(Leaves);
        leaves.AddColumn<long>("leaf_index").AsPrimaryKey();
        leaves.AddColumn<long>("seq_id").NotNull();
        leaves.Indexes.Add(new IndexDefinition($"ix_{Leaves}_seq_id") { Columns = ["seq_id"], IsUnique = true });
        yield return leaves;

        var nodes = Table(Nodes);
        nodes.AddColumn<int>("level").AsPrimaryKey();
        nodes.AddColumn<long>("node_index").AsPrimaryKey();
        nodes.AddColumn("hash", "bytea").NotNull();
        yield return nodes;

        var checkpoints = Table(Checkpoints);
        checkpoints.AddColumn<long>("tree_size").AsPrimaryKey();
        checkpoints.AddColumn("key_id", "bytea").AsPrimaryKey();
        checkpoints.AddColumn("root_hash", "bytea").NotNull();
        checkpoints.AddColumn<string>("note").NotNull();
        checkpoints.AddColumn("issued_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        yield return checkpoints;

        var cosignatures = Table(Cosignatures);
        cosignatures.AddColumn<long>("tree_size").AsPrimaryKey();
        cosignatures.AddColumn("root_hash", "bytea").AsPrimaryKey();
        cosignatures.AddColumn<string>("witness").AsPrimaryKey();
        cosignatures.AddColumn<string>("signature_line").NotNull();
        cosignatures.AddColumn("received_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        yield return cosignatures;

        yield return new LogTruncateTrigger(_schema);
    }

    private Table Table(string name) => new(new PostgresqlObjectName(_schema, name, SchemaUtils.IdentifierUsage.General));
}

/// <summary>
/// Empties the log when Marten deletes all event data (ResetAllData, DeleteAllEventData), and when the migration finds
/// an empty event table beside leaves (a store dropped and recreated): a log never outlives the events it covers.
/// Its own trigger and function beside the chain's, installed and recognised the same way (a fingerprint of the SQL).
/// </summary>
internal sealed class LogTruncateTrigger(string schema) : EventTableTriggers(schema, "tl-log", "tl_log_on_truncate()")
{
    private const string Trigger = "tl_log_truncate";

    protected override string Functions => $$"""
        create or replace function {{Schema}}.tl_log_on_truncate() returns trigger
        language plpgsql as $$
        begin
          truncate {{Schema}}.{{LogSchema.Leaves}}, {{Schema}}.{{LogSchema.Nodes}}, {{Schema}}.{{LogSchema.Checkpoints}}, {{Schema}}.{{LogSchema.Cosignatures}};
          return null;
        end
        $$;
        """;

    protected override IReadOnlyList<(string Name, string Create)> Triggers =>
    [
        (Trigger, $"create trigger {Trigger} after truncate on {Schema}.mt_events for each statement execute function {Schema}.tl_log_on_truncate();"),
    ];

    protected override void WriteAfterCreate(TextWriter writer) => writer.WriteLine($$"""
        do $$
        begin
          if not exists (select 1 from {{Schema}}.mt_events) then
            truncate {{Schema}}.{{LogSchema.Leaves}}, {{Schema}}.{{LogSchema.Nodes}}, {{Schema}}.{{LogSchema.Checkpoints}}, {{Schema}}.{{LogSchema.Cosignatures}};
          end if;
        end
        $$;
        """);
}
