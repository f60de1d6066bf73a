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
