using Npgsql;
using TicketLedger.Hosting;

namespace TicketLedger.Benchmarks;

/// <summary>
/// The product's own embedded cluster in a throwaway folder (deleted on dispose), with one database per contender so
/// none of them reads another's tables. Settings are the product's embedded defaults (fsync and synchronous commit on).
/// </summary>
public sealed class BenchDatabase : IDisposable
{
    public const string Pgbench = "bench_pgbench";
    public const string Raw = "bench_raw";
    public const string Vanilla = "bench_vanilla";
    public const string Service = "bench_service";
    public const string Scale = "bench_scale";
    public const string Log = "bench_log";
    public const string OneOffice = "bench_one_office";
    public const string EightOffices = "bench_eight_offices";
    public const string District = "bench_district";
    public const string Failover = "bench_failover";

    /// <summary>A database of its own for each cluster size and round of the nodes stage, so none inherits another's data.</summary>
    public static string Nodes(int count, int round) => $"bench_nodes_{count}_{round}";

    private readonly EmbeddedPostgres _server;

    private BenchDatabase(EmbeddedPostgres server) => _server = server;

    public static BenchDatabase Start()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ticketledger-bench-{Environment.ProcessId}");
        if (StatementStatistics)
        {
            // The library loads only at server start: start once to set it, then start again for the run.
            using var first = EmbeddedPostgres.Start(new EmbeddedPostgresOptions { DataDirectory = folder, Database = "postgres" });
            using var connection = new NpgsqlConnection(first.ConnectionString("postgres"));
            connection.Open();
            using var command = new NpgsqlCommand("alter system set shared_preload_libraries = 'pg_stat_statements'", connection);
            command.ExecuteNonQuery();
        }
        var server = EmbeddedPostgres.Start(new EmbeddedPostgresOptions { DataDirectory = folder, DeleteOnDispose = true, Database = "postgres" });
        if (StatementStatistics)
        {
            // `all`: the statements of triggers and functions (the audit chain, the ticket numbers) count on their own too.
            // The setting exists only once the library is loaded.
            using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
            connection.Open();
            using var command = new NpgsqlCommand("alter system set pg_stat_statements.track = 'all'; select pg_reload_conf()", connection);
            command.ExecuteNonQuery();
        }
        // An interrupted run (Ctrl-C, SIGTERM) still stops and deletes its cluster; Dispose is idempotent.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        foreach (var db in new[] { Pgbench, Raw, Vanilla, Service, Scale, Log, OneOffice, EightOffices, District, Failover }) server.CreateDatabaseIfMissing(db);
        return new BenchDatabase(server);
    }

    /// <summary>
    /// `BENCH_PG_STATEMENTS=1`: the cluster loads pg_stat_statements, and each per-command profile lists the statements
    /// that took the most execution time per command. Off by default: it costs every statement a little.
    /// </summary>
    public static bool StatementStatistics => Environment.GetEnvironmentVariable("BENCH_PG_STATEMENTS") == "1";

    public int Port => _server.Port;
    public string Password => _server.Password;
    public string User => new NpgsqlConnectionStringBuilder(_server.ConnectionString()).Username!;

    public string LogFile => Path.Combine(_server.RootDirectory, "postgres.log");

    /// <summary>The cluster's postmaster: its children are the backends and background workers.</summary>
    public int PostmasterPid => int.Parse(File.ReadLines(Path.Combine(_server.RootDirectory, "data", "postmaster.pid")).First());

    public string ConnectionString(string database) => _server.ConnectionString(database);

    public void Create(string database) => _server.CreateDatabaseIfMissing(database);

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<string>> LinesAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetValue(0)?.ToString() ?? "");
        return lines;
    }

    public Task<string> VersionAsync() => ScalarAsync<string>("postgres", "show server_version");

    public void Dispose() => _server.Dispose();
}
