using System.Net;
using System.Net.Sockets;
using Npgsql;
using TicketLedger.Hosting;

namespace TicketLedger.Tests.Hosting;

public sealed class the_embedded_postgres_cluster : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ticketledger-embedded-tests", Guid.NewGuid().ToString("N"));

    private EmbeddedPostgresOptions Options => new() { DataDirectory = _folder, Database = "embedded_test" };

    [Fact]
    public void keeps_its_data_between_runs()
    {
        using (var first = EmbeddedPostgres.Start(Options))
            Execute(first, "create table kept (id int); insert into kept values (42)");

        using var second = EmbeddedPostgres.Start(Options);
        Assert.Equal(42, Scalar(second, "select id from kept"));
    }

    [Fact]
    public void stops_the_server_it_started_when_disposed()
    {
        var server = EmbeddedPostgres.Start(Options);
        var port = server.Port;
        server.Dispose();
        Assert.False(Listening(port));
    }

    [Fact]
    public void a_second_instance_shares_the_running_cluster_and_leaves_it_to_its_owner()
    {
        using var owner = EmbeddedPostgres.Start(Options);
        using (var second = EmbeddedPostgres.Start(Options))
        {
            Assert.Equal(owner.Port, second.Port);
            Assert.Equal(1, Scalar(second, "select 1"));
        }
        Assert.Equal(1, Scalar(owner, "select 1"));
    }

    [Fact]
    public void a_stale_pid_file_left_by_a_crash_does_not_prevent_start()
    {
        EmbeddedPostgres.Start(Options).Dispose();
        var pidFile = Path.Combine(_folder, "data", "postmaster.pid");
        File.WriteAllLines(pidFile, ["999999", Path.Combine(_folder, "data"), "1700000000", "5999", "", "127.0.0.1", "0 0", "ready"]);

        using var server = EmbeddedPostgres.Start(Options);
        Assert.Equal(1, Scalar(server, "select 1"));
    }

    [Fact]
    public void a_cluster_whose_starter_died_is_adopted_and_stopped_by_the_next_instance()
    {
        var orphan = EmbeddedPostgres.Start(Options);
        File.WriteAllText(Path.Combine(_folder, "owner.pid"), "999999");

        var adopter = EmbeddedPostgres.Start(Options);
        Assert.Equal(orphan.Port, adopter.Port);
        adopter.Dispose();
        Assert.False(Listening(orphan.Port));
    }

    [Fact]
    public void a_configured_port_that_is_taken_fails_with_a_clear_error()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var error = Assert.Throws<InvalidOperationException>(() => EmbeddedPostgres.Start(Options with { Port = taken }));
        Assert.Contains("postgres.log", error.Message + error.InnerException?.Message);
    }

    [Fact]
    public void missing_server_binaries_name_the_package_to_install()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EmbeddedPostgres.Start(Options with { BinDirectory = "/nonexistent" }));
        Assert.Contains("apt-get install postgresql", error.Message);
    }

    private static void Execute(EmbeddedPostgres server, string sql)
    {
        using var connection = new NpgsqlConnection(server.ConnectionString());
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static int Scalar(EmbeddedPostgres server, string sql)
    {
        using var connection = new NpgsqlConnection(server.ConnectionString());
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(command.ExecuteScalar());
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    public void Dispose()
    {
        // A failed assertion must not leave a server behind: stop whatever still runs on the folder.
        if (File.Exists(Path.Combine(_folder, "data", "postmaster.pid")))
            try { EmbeddedPostgres.Start(Options with { DeleteOnDispose = true }).Dispose(); } catch (InvalidOperationException) { }
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
