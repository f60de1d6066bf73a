using Marten;
using Marten.Schema;
using Npgsql;
using Marten.Storage;
using TicketLedger.Hosting;

namespace TicketLedger.Audit;

/// <summary>
/// The upgrade of a store written before offices existed (docs/offices.md, "Upgrading"): everything it recorded went
/// to Marten's default tenant, `*DEFAULT*`, and belongs to `Ledger:Office`. On start-up, after Marten's schema
/// migration, it is moved there in one transaction: events, streams, every tenanted document and the chain's links.
/// The move is written to tl_office_rekey first, so the chain and the transparency log keep checking those events
/// against the office they were hashed and logged with (<see cref="ChainSql.RecordedTenant"/>), and moving any of
/// them again is still seen as tampering. Runs on every start; after the first it finds nothing to move.
/// </summary>
public sealed class LegacyOffice(Offices offices) : IInitialData
{
    public const string DefaultTenant = "*DEFAULT*";

    /// <summary>Any constant no other advisory lock user picks: two nodes starting together move the data once.</summary>
    private const long UpgradeLockKey = 7_424_011_805_773;

    public async Task Populate(IDocumentStore store, CancellationToken cancellation)
    {
        var s = store.Options.DatabaseSchemaName;
        // A store from before offices was one database, which Ledger:Office's database must be when offices are spread
        // over several (docs/nodes.md); the main one when Ledger:Office is no office, where the check below says so.
        var database = offices.Find(offices.Home) is { } owner && offices.SpreadOverDatabases
            ? await store.Storage.FindOrCreateDatabase(owner.Code)
            : store.Storage.Database;
        await using var connection = database.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync(cancellation);
        await using var tx = await connection.BeginTransactionAsync(cancellation);
        await Execute(connection, $"select pg_advisory_xact_lock({UpgradeLockKey})", cancellation);

        var upTo = await Scalar<long?>(connection, $"select max(seq_id) from {s}.mt_events where tenant_id = '{DefaultTenant}'", cancellation);
        var documentTables = await TenantedTables(connection, s, cancellation);
        var anyDocument = false;
        foreach (var table in documentTables)
            anyDocument |= await Scalar<bool>(connection, $"select exists (select 1 from {s}.{table} where tenant_id = '{DefaultTenant}')", cancellation);
        if (upTo is null && !anyDocument) return;

        var home = offices.Find(offices.Home)?.Code ?? throw new InvalidOperationException(
            $"This store holds data recorded before offices existed, which belongs to {Settings.Office} ('{offices.Home}'), " +
            $"but that is not one of the configured offices ({string.Join(", ", offices.All.Select(o => o.Code))}). " +
            $"Set {Settings.Office} to the office that recorded it.");

        if (upTo is not null)
        {
            await Execute(connection, $"""
                insert into {s}.{ChainSchema.Rekeys} (from_tenant, to_tenant, up_to_seq) values ('{DefaultTenant}', @home, {upTo})
                on conflict (from_tenant) do update set up_to_seq = greatest({s}.{ChainSchema.Rekeys}.up_to_seq, excluded.up_to_seq)
                """, cancellation, home);
            // Events and their streams move together; the key between them is checked again once both have moved.
            await Execute(connection, $"alter table {s}.mt_events drop constraint fkey_mt_events_stream_id_tenant_id", cancellation);
            await Move(connection, $"{s}.mt_events", home, cancellation);
            await Move(connection, $"{s}.mt_streams", home, cancellation);
            await Execute(connection, $"""
                alter table {s}.mt_events add constraint fkey_mt_events_stream_id_tenant_id foreign key (tenant_id, stream_id)
                  references {s}.mt_streams (tenant_id, id)
                """, cancellation);
            await Move(connection, $"{s}.{ChainSchema.Links}", home, cancellation);
        }
        foreach (var table in documentTables) await Move(connection, $"{s}.{table}", home, cancellation);
        await tx.CommitAsync(cancellation);
        Console.WriteLine($"Moved the data recorded before offices existed into the office '{home}' (events up to sequence {upTo}).");
    }

    private static async Task<List<string>> TenantedTables(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select c.table_name from information_schema.columns c
             where c.table_schema = @schema and c.column_name = 'tenant_id' and c.table_name like 'mt_doc_%'
             order by 1
            """, connection);
        command.Parameters.AddWithValue("schema", schema);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        return tables;
    }

    private static Task Move(NpgsqlConnection connection, string table, string home, CancellationToken ct) =>
        Execute(connection, $"update {table} set tenant_id = @home where tenant_id = '{DefaultTenant}'", ct, home);

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct, string? home = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (home is not null) command.Parameters.AddWithValue("home", home);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)value;
    }
}
