using Npgsql;

namespace TicketLedger.Audit;

/// <summary>How far the global order of events is final: the sealer and the transparency log both stop there.</summary>
internal static class EventHorizon
{
    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The highest sequence below which no event can still appear. nextval() holds a lock on the sequence until its
    /// transaction ends, so once every transaction holding that lock when the sequence was read has finished, every
    /// sequence number handed out by then is either committed or lost for good (a rolled-back append).
    /// </summary>
    public static async Task<long> SafeAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var last = new NpgsqlCommand(
            $"select case when is_called then last_value else last_value - 1 end from {schema}.mt_events_sequence", connection);
        var horizon = (long)(await last.ExecuteScalarAsync(ct))!;

        var waitFor = await SequenceHoldersAsync(connection, schema, null, ct);
        while (waitFor.Length > 0)
        {
            await Task.Delay(InFlightPoll, ct);
            waitFor = await SequenceHoldersAsync(connection, schema, waitFor, ct);
        }
        return horizon;
    }

    /// <summary>The other transactions holding the event sequence's lock, among <paramref name="among"/> when given.</summary>
    private static async Task<string[]> SequenceHoldersAsync(NpgsqlConnection connection, string schema, string[]? among, CancellationToken ct)
    {
        await using var holders = new NpgsqlCommand($"""
            select coalesce(array_agg(virtualtransaction), '{"{}"}') from pg_locks
             where locktype = 'relation' and relation = '{schema}.mt_events_sequence'::regclass
               and pid <> pg_backend_pid() and (@among::text[] is null or virtualtransaction = any(@among))
            """, connection);
        holders.Parameters.Add(new NpgsqlParameter("among", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)among ?? DBNull.Value });
        return (string[])(await holders.ExecuteScalarAsync(ct))!;
    }
}
