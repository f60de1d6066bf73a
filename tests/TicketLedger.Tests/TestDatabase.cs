using TicketLedger.Hosting;

namespace TicketLedger.Tests;

/// <summary>
/// One throwaway PostgreSQL cluster per test run, built by the product's own embedded-cluster component,
/// unless TICKETLEDGER_TEST_CONNECTION names a server to use instead. Each host gets a database of its own.
/// </summary>
public static class TestDatabase
{
    public const string ConnectionVariable = "TICKETLEDGER_TEST_CONNECTION";
    private static readonly Lazy<EmbeddedPostgres?> Cluster = new(StartCluster);

    public static string ConnectionStringFor(string database)
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(configured);
            var server = new Npgsql.NpgsqlConnectionStringBuilder(configured) { Database = "postgres" };
            EmbeddedPostgres.CreateDatabaseIfMissing(server.ConnectionString, database);
            builder.Database = database;
            return builder.ConnectionString;
        }
        Cluster.Value!.CreateDatabaseIfMissing(database);
        return Cluster.Value.ConnectionString(database);
    }

    /// <summary>A database with nothing in it, dropped and created anew: for tests that restore a dump into it.</summary>
    public static string EmptyConnectionStringFor(string database)
    {
        var connectionString = ConnectionStringFor(database);
        var server = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        using (var connection = new Npgsql.NpgsqlConnection(server.ConnectionString))
        {
            connection.Open();
            using var drop = new Npgsql.NpgsqlCommand($"drop database if exists \"{database}\" with (force)", connection);
            drop.ExecuteNonQuery();
        }
        Npgsql.NpgsqlConnection.ClearAllPools();
        EmbeddedPostgres.CreateDatabaseIfMissing(server.ConnectionString, database);
        return connectionString;
    }

    private static EmbeddedPostgres? StartCluster()
    {
        var cluster = EmbeddedPostgres.Start(new EmbeddedPostgresOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "ticketledger-tests", Guid.NewGuid().ToString("N")),
            DeleteOnDispose = true,
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return cluster;
    }
}
