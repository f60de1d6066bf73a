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

    /// <summary>
    /// Sessions waiting for <paramref name="holder"/> directly or behind another waiter: on a locked row only the first
    /// waiter waits for the holder itself, the others for the first.
    /// </summary>
    public static async Task<long> SessionsQueuedBehindAsync(NpgsqlConnection probe, int holder)
    {
        await using var command = new NpgsqlCommand(
            $"""
            with recursive waiting as (select pid, pg_blocking_pids(pid) as blockers from pg_stat_activity where wait_event_type = 'Lock'),
            behind(pid) as (select pid from waiting where {holder} = any(blockers)
                            union select w.pid from waiting w join behind b on b.pid = any(w.blockers))
            select count(*) from behind
            """, probe);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
