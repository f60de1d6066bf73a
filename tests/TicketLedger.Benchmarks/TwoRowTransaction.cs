namespace TicketLedger.Benchmarks;

/// <summary>
/// The transaction shape of a ticket command with no framework: bump the read-model row (its version is the stream
/// version) and insert the event row at that version, in one transaction. pgbench and the raw endpoint run exactly this.
/// </summary>
public static class TwoRowTransaction
{
    public const string Schema = """
        create table if not exists bench_views (
            id uuid primary key, status text not null, version int not null, data jsonb not null, updated_at timestamptz not null);
        create table if not exists bench_events (
            seq bigserial primary key, stream_id uuid not null, version int not null, type text not null, data jsonb not null,
            timestamp timestamptz not null default now(), unique (stream_id, version));
        """;

    public const string UpsertView = """
        insert into bench_views as v (id, status, version, data, updated_at) values ({0}, 'assigned', 1, {1}, now())
        on conflict (id) do update set version = v.version + 1, status = excluded.status, data = excluded.data, updated_at = excluded.updated_at
        returning version
        """;

    public const string InsertEvent = "insert into bench_events (stream_id, version, type, data) values ({0}, {1}, 'ticket_responded', {2})";

    public const string SampleData = """{"ticketId":"0193a0c4-5a9e-7c2b-9d3e-1f2a3b4c5d6e","message":"已协调物流公司，明日送达。","occurredAt":"2026-11-28T08:00:00+00:00"}""";

    /// <summary>
    /// <paramref name="commands"/> commands on distinct rows per transaction: one is a bare endpoint's commit; more is
    /// what a group commit of that many concurrent commands would ask of the database.
    /// </summary>
    public static string PgbenchScript(int commands = 1) =>
        string.Concat(Enumerable.Range(1, commands).Select(i => $"\\set n{i} random(1, 100000)\n")) +
        "BEGIN;\n" +
        string.Concat(Enumerable.Range(1, commands).Select(i =>
            string.Format(UpsertView, $"md5(:n{i}::text)::uuid", $"'{SampleData}'").ReplaceLineEndings(" ") + " \\gset\n" +
            string.Format(InsertEvent, $"md5(:n{i}::text)::uuid", ":version", $"'{SampleData}'") + ";\n")) +
        "END;\n";
}
