using System.Text;
using Npgsql;

namespace TicketLedger.Benchmarks;

/// <summary>
/// What a measured window cost and what it waited on, for a window whose throughput moved without its sequential
/// profile moving: service and PostgreSQL CPU per request under load, and what the database's active sessions were
/// waiting for (pg_stat_activity sampled every 20 ms: lock waits, WAL flushes, client reads). With
/// `BENCH_PG_STATEMENTS=1` also the statements that took the most execution time per request in the window, the
/// background agents' included.
/// </summary>
public sealed class LoadEvidence : IAsyncDisposable
{
    private readonly BenchDatabase _db;
    private readonly string _database;
    private readonly int _servicePid;
    private readonly int _postmaster;
    private readonly long _serviceTicks;
    private readonly long _clusterTicks;
    private readonly Dictionary<string, int> _waits = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private int _samples;

    private LoadEvidence(BenchDatabase db, string database, int servicePid)
    {
        (_db, _database, _servicePid, _postmaster) = (db, database, servicePid, db.PostmasterPid);
        (_serviceTicks, _clusterTicks) = (Profile.CpuTicks(servicePid, children: false), Profile.ClusterCpuTicks(_postmaster));
        _sampler = Task.Run(() => SampleAsync(db.ConnectionString(database), database));
    }

    public static LoadEvidence Start(BenchDatabase db, string database, int servicePid) => new(db, database, servicePid);

    /// <summary>One line for the report: CPU per request and the commonest waits, as shares of sampled active sessions.</summary>
    public async Task<string> StopAsync(int requests)
    {
        var (service, cluster) = (Profile.CpuTicks(_servicePid, children: false) - _serviceTicks, Profile.ClusterCpuTicks(_postmaster) - _clusterTicks);
        await _stop.CancelAsync();
        await _sampler;
        var total = _waits.Values.Sum();
        var waits = string.Join(", ", _waits.OrderByDescending(w => w.Value).Take(6)
            .Select(w => FormattableString.Invariant($"{w.Key} {100.0 * w.Value / Math.Max(1, total):F0} %")));
        var statements = BenchDatabase.StatementStatistics ? "\n\n" + await Profile.TopStatementsAsync(_db, _database, Math.Max(1, requests), "request") : "";
        return new StringBuilder()
            .Append(FormattableString.Invariant($"service CPU {service * Profile.TickMs / Math.Max(1, requests):F2} ms/request, "))
            .Append(FormattableString.Invariant($"PostgreSQL CPU {cluster * Profile.TickMs / Math.Max(1, requests):F2} ms/request; "))
            .Append(FormattableString.Invariant($"active sessions {total / (double)Math.Max(1, _samples):F1} on average: {waits}"))
            .Append(statements)
            .ToString();
    }

    private async Task SampleAsync(string connectionString, string database)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        if (BenchDatabase.StatementStatistics)
            await using (var reset = new NpgsqlCommand("create extension if not exists pg_stat_statements; select pg_stat_statements_reset()", connection))
                await reset.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand($"""
            select coalesce(wait_event_type || ':' || wait_event, 'on CPU') from pg_stat_activity
            where datname = '{database}' and state = 'active' and pid <> pg_backend_pid()
            """, connection);
        while (!_stop.IsCancellationRequested)
        {
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    _waits[reader.GetString(0)] = _waits.GetValueOrDefault(reader.GetString(0)) + 1;
            _samples++;
            try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _sampler; } catch (Exception e) when (e is NpgsqlException or OperationCanceledException) { }
        _stop.Dispose();
    }
}
