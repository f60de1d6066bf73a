using Marten;
using Npgsql;
using TicketLedger.Hosting;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// A commit PostgreSQL rolled back for a deadlock is run again from the command's first step (CommandRetries), never
/// replayed by the store: Marten's replay sends the same compiled batch again, which Npgsql 9 can bind to another
/// connection's auto-prepared statements (CI: "bind message supplies 14 parameters, but prepared statement "_auto29"
/// requires 2" on a raise).
/// </summary>
public sealed class losing_a_commit_to_a_deadlock(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task the_store_hands_the_deadlock_to_the_command_retry_instead_of_replaying_the_batch()
    {
        var database = Host.DocumentStore().Storage.Database;
        await using var other = database.CreateConnection();
        await other.OpenAsync();
        await ExecuteAsync(other, """
            create table if not exists public.deadlock_probe (id int primary key, hits int not null);
            insert into public.deadlock_probe values (1, 0), (2, 0) on conflict (id) do update set hits = 0;
            """);
        await using var otherTransaction = await other.BeginTransactionAsync();
        // The victim is whichever backend's deadlock check fires first; on a loaded machine the two 1 s timers can fire in
        // either order. This side checks late, so the session is always the one that loses.
        await ExecuteAsync(other, "set local deadlock_timeout = '30s'");
        await ExecuteAsync(other, "update public.deadlock_probe set hits = hits + 1 where id = 2");

        await using var session = Host.DocumentStore().LightweightSession("yinhe");
        session.QueueSqlCommand("update public.deadlock_probe set hits = hits + 1 where id = 1");
        session.QueueSqlCommand("update public.deadlock_probe set hits = hits + 1 where id = 2");
        var commit = session.SaveChangesAsync();

        // The session waits on row 2 first, and checks for deadlocks after 1 s, long before the other side would.
        await using (var probe = database.CreateConnection())
        {
            await probe.OpenAsync();
            await Eventually.Until(() => LockWaits.SessionsBlockedByAsync(probe, other.ProcessID), blocked => blocked > 0,
                TimeSpan.FromSeconds(10), "the session to wait for row 2");
        }
        var otherUpdate = ExecuteAsync(other, "update public.deadlock_probe set hits = hits + 1 where id = 1");

        var lost = await Assert.ThrowsAnyAsync<Exception>(() => commit);
        Assert.True(CommandRetries.Explains(lost), lost.ToString());
        await otherUpdate;
        await otherTransaction.CommitAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
