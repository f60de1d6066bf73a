using Npgsql;

namespace TicketLedger.Hosting;

/// <summary>
/// Re-keys the stream table of a store written before offices (streams keyed by id alone) to the conjoined layout
/// (tenant and id), before Marten's own migration runs. Weasel's migration of that change adds the events' new
/// foreign key twice and fails ("constraint fkey_mt_events_stream_id_tenant_id already exists"), so a store from a
/// single-office build could not start. Runs before Marten's migration, on every database holding offices; afterwards
/// it finds nothing to do.
/// </summary>
public sealed class ConjoinedStreamKeys(IReadOnlyList<string> connectionStrings) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var connectionString in connectionStrings) await ApplyAsync(new NpgsqlConnection(connectionString), cancellationToken);
    }

    /// <summary>For the commands that migrate the store without starting the host's services (`ledger`).</summary>
    public static async Task ApplyAsync(NpgsqlConnection unopened, CancellationToken cancellationToken)
    {
        var s = EventStore.Schema;
        await using var connection = unopened;
        await connection.OpenAsync(cancellationToken);
        await using var check = new NpgsqlCommand(
            "select 1 from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = @schema and c.conname = 'pkey_mt_streams_id'",
            connection);
        check.Parameters.AddWithValue("schema", s);
        if (await check.ExecuteScalarAsync(cancellationToken) is null) return;

        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using var rekey = new NpgsqlCommand($"""
            alter table {s}.mt_streams drop constraint pkey_mt_streams_id cascade;
            alter table {s}.mt_streams add constraint pkey_mt_streams_tenant_id_id primary key (tenant_id, id);
            alter table {s}.mt_events add constraint fkey_mt_events_stream_id_tenant_id foreign key (tenant_id, stream_id)
              references {s}.mt_streams (tenant_id, id);
            drop index if exists {s}.pk_mt_events_stream_and_version;
            create unique index pk_mt_events_stream_and_version on {s}.mt_events using btree (tenant_id, stream_id, version);
            """, connection, tx);
        await rekey.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
