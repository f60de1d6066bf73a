using Npgsql;

namespace TicketLedger.Tests;

public static class LockWaits
{
    /// <summary>
    /// Sessions waiting for a lock the backend <paramref name="holder"/> holds, whatever statement they wait in: a raise
    /// settles its ticket number inside its COMMIT.
    /// </summary>
    public static async Task<long> SessionsBlockedByAsync(NpgsqlConnection probe, int holder)
    {
        await using var command = new NpgsqlCommand(
            $"select count(*) from pg_stat_activity where wait_event_type = 'Lock' and {holder} = any(pg_blocking_pids(pid))", probe);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
