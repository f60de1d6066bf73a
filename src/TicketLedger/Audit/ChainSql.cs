using Weasel.Core;
using TicketLedger.Hosting;
using Weasel.Postgresql;

namespace TicketLedger.Audit;

/// <summary>
/// The SQL of the chain. Hashes (SHA-256, 32 bytes):
/// <code>
/// event_hash = sha256(event_hash of the stream's previous version, or 32 zero bytes || canonical(event))
/// chain_hash = sha256(chain_hash of the previous sealed event, or 32 zero bytes || int8(seq_id) || event_hash)
/// </code>
/// canonical(event) is the UTF-8 text of a jsonb array of the event's recorded facts. jsonb text is already
/// normalised (key order, spacing), and the timestamp is written in UTC so the session's TimeZone cannot change it.
/// is_archived and mt_dotnet_type are left out on purpose: Marten changes them legitimately (archiving a stream,
/// renaming a CLR type) without changing what happened.
/// </summary>
internal static class ChainSql
{
    /// <summary>Serialises sealers across processes; any constant that no other advisory lock user picks.</summary>
    public const long SealLockKey = 7_424_011_805_771;

    private static readonly string Genesis = $"'\\x{new string('0', 64)}'::bytea";

    /// <summary>
    /// The office the event in the row variable <paramref name="row"/> was recorded under: its tenant_id, except for
    /// what a single-office build recorded before offices existed. Those rows carried Marten's default tenant
    /// (`*DEFAULT*`) when they were hashed and logged, and the upgrade moved them into `Ledger:Office`, noting the move
    /// in tl_office_rekey (Audit/LegacyOffice, docs/audit.md): they are still checked against `*DEFAULT*`. Any other
    /// office on a row below that horizon is an event moved since, and hashes to something no one recorded.
    /// </summary>
    public static string RecordedTenant(string s, string row) => $"""
        coalesce((select case when {row}.tenant_id = r.to_tenant then r.from_tenant else {row}.tenant_id || ' moved from ' || r.to_tenant end
                    from {s}.{ChainSchema.Rekeys} r where {row}.seq_id <= r.up_to_seq limit 1), {row}.tenant_id)
        """;

    /// <summary>The canonical content of the event in the row variable <paramref name="row"/>.</summary>
    private static string Canonical(string s, string row) => $"""
        convert_to(jsonb_build_array(
            {row}.seq_id, {row}.id, {row}.stream_id, {row}.version, {row}.type,
            to_char({row}.timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            {RecordedTenant(s, row)}, {row}.user_name, {row}.correlation_id, {row}.causation_id, {row}.headers, {row}.data,
            encode({row}.bdata, 'base64'))::text, 'UTF8')
        """;

    /// <summary>
    /// Links the event in the row variable <paramref name="row"/> to the previous event of its stream. The canonical
    /// content is written out rather than called as tl_audit_canonical: a SQL function is inlined by re-reading its
    /// body whenever the statement is planned, and Npgsql resets pooled connections with DISCARD ALL, which drops
    /// cached plans: the trigger is planned anew on nearly every append.
    /// </summary>
    private static string LinkStatements(string s, string row) => $"""
        select l.event_hash into previous from {s}.tl_audit_link l
         where l.tenant_id = {row}.tenant_id and l.stream_id = {row}.stream_id and l.version = {row}.version - 1;
        insert into {s}.tl_audit_link (seq_id, tenant_id, stream_id, version, event_hash)
        values ({row}.seq_id, {row}.tenant_id, {row}.stream_id, {row}.version,
                sha256(coalesce(previous, {Genesis}) || {Canonical(s, row)}));
        """;

    public static IEnumerable<string> Functions(string s) =>
    [
        $$"""
        create or replace function {{s}}.tl_audit_canonical(e {{s}}.mt_events) returns bytea
        language sql stable as $$
          select {{Canonical(s, "e")}}
        $$;
        """,
        $$"""
        create or replace function {{s}}.tl_audit_on_append() returns trigger
        language plpgsql as $$
        declare
          previous bytea;
        begin
          {{LinkStatements(s, "new")}}
          return null;
        end
        $$;
        """,
        $$"""
        create or replace function {{s}}.tl_audit_link_missing() returns bigint
        language plpgsql as $$
        declare
          e {{s}}.mt_events;
          previous bytea;
          linked bigint := 0;
        begin
          for e in
            select m.* from {{s}}.mt_events m
             where not exists (select 1 from {{s}}.tl_audit_link l where l.seq_id = m.seq_id)
             order by m.tenant_id, m.stream_id, m.version
          loop
            {{LinkStatements(s, "e")}}
            linked := linked + 1;
          end loop;
          return linked;
        end
        $$;
        """,
        $$"""
        create or replace function {{s}}.tl_audit_on_truncate() returns trigger
        language plpgsql as $$
        begin
          truncate {{s}}.tl_audit_link, {{s}}.tl_audit_seal;
          return null;
        end
        $$;
        """,
        $$"""
        create or replace function {{s}}.tl_audit_seal_up_to(horizon bigint, max_rows integer) returns integer
        language plpgsql as $$
        declare
          head_seq bigint;
          head_hash bytea;
          link record;
          sealed integer := 0;
        begin
          perform pg_advisory_xact_lock({{SealLockKey}});
          -- In the order the truncate trigger takes them, so a store reset running meanwhile waits instead of deadlocking.
          lock table {{s}}.tl_audit_link in access share mode;
          lock table {{s}}.tl_audit_seal in row exclusive mode;
          select s.seq_id, s.chain_hash into head_seq, head_hash from {{s}}.tl_audit_seal s order by s.seq_id desc limit 1;
          head_hash := coalesce(head_hash, {{Genesis}});
          for link in
            select l.seq_id, l.event_hash from {{s}}.tl_audit_link l
             where l.seq_id > coalesce(head_seq, 0) and l.seq_id <= horizon
             order by l.seq_id limit max_rows
          loop
            head_hash := sha256(head_hash || int8send(link.seq_id) || link.event_hash);
            insert into {{s}}.tl_audit_seal (seq_id, prev_seq, chain_hash) values (link.seq_id, head_seq, head_hash);
            head_seq := link.seq_id;
            sealed := sealed + 1;
          end loop;
          return sealed;
        end
        $$;
        """,
    ];
}

/// <summary>
/// The functions and the two triggers on mt_events, plus linking the events appended before the chain was installed
/// (an existing store gets its chain from the day it was installed on). The truncate trigger empties the chain when
/// Marten deletes all event data (ResetAllData, DeleteAllEventData), so the chain never outlives its events.
/// </summary>
internal sealed class ChainTriggers(string schema) : EventTableTriggers(schema, "tl-audit", "tl_audit_on_append()")
{
    private const string AppendTrigger = "tl_audit_append";
    private const string TruncateTrigger = "tl_audit_truncate";

    protected override string Functions { get; } = string.Join("\n", ChainSql.Functions(schema));

    protected override IReadOnlyList<(string Name, string Create)> Triggers =>
    [
        (AppendTrigger, $"create trigger {AppendTrigger} after insert on {Schema}.mt_events for each row execute function {Schema}.tl_audit_on_append();"),
        (TruncateTrigger, $"create trigger {TruncateTrigger} after truncate on {Schema}.mt_events for each statement execute function {Schema}.tl_audit_on_truncate();"),
    ];

    protected override void WriteAfterCreate(TextWriter writer)
    {
        // An empty event table with chain rows is a store dropped and recreated (CompletelyRemoveAll): nothing is left
        // for those rows to protect, and their sequence numbers are about to be handed out again.
        writer.WriteLine($$"""
            do $$
            begin
              if not exists (select 1 from {{Schema}}.mt_events) then
                truncate {{Schema}}.tl_audit_link, {{Schema}}.tl_audit_seal;
              end if;
            end
            $$;
            """);
        // The trigger above holds a lock on mt_events until the migration commits, so no append slips past this.
        writer.WriteLine($"select {Schema}.tl_audit_link_missing();");
    }
}
