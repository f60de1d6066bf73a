using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace TicketLedger.Hosting;

/// <summary>
/// A PostgreSQL cluster of our own, created from the machine's server binaries, so the service
/// runs with no configuration at all. The cluster survives between runs (its data folder is kept);
/// the process that started it stops it on exit. A second instance on the same folder shares the
/// running cluster instead of fighting over it.
/// </summary>
public sealed class EmbeddedPostgres : IDisposable
{
    private const string SuperUser = "ticketledger";
    private readonly EmbeddedPostgresOptions _options;
    private readonly string _binDir;
    private readonly string? _osUser;
    private bool _ownsServer;

    public string RootDirectory => _options.DataDirectory;
    private string DataDirectory => Path.Combine(RootDirectory, "data");
    private string PasswordFile => Path.Combine(RootDirectory, "password");
    private string OwnerFile => Path.Combine(RootDirectory, "owner.pid");
    private string LogFile => Path.Combine(RootDirectory, "postgres.log");

    public int Port { get; private set; }
    public string Password { get; private set; } = "";

    private EmbeddedPostgres(EmbeddedPostgresOptions options)
    {
        _options = options;
        var binDir = options.BinDirectory ?? FindBinaries();
        _binDir = binDir is not null && HasServer(binDir) ? binDir : throw new InvalidOperationException(
                "No PostgreSQL server binaries found (looked at EmbeddedPostgres:BinDirectory, on PATH, `pg_config --bindir` and /usr/lib/postgresql/*/bin). " +
                "Install them (Debian/Ubuntu: `apt-get install postgresql`; Fedora: `dnf install postgresql-server`; " +
                "macOS: `brew install postgresql`), set EmbeddedPostgres:BinDirectory, " +
                "or point ConnectionStrings:Marten at a PostgreSQL server of your own.");
        _osUser = Environment.UserName == "root" ? options.OsUser : null;
    }

    /// <summary>Creates the cluster when missing, starts it when not running, and makes sure the database exists.</summary>
    public static EmbeddedPostgres Start(EmbeddedPostgresOptions options)
    {
        var server = new EmbeddedPostgres(options);
        server.StartServer();
        return server;
    }

    public string ConnectionString(string? database = null) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = Password,
        Database = database ?? _options.Database,
        Pooling = true,
        MaxPoolSize = 50,
        // Statements run again and again (the append, the view upsert, the idempotency key) are prepared once per
        // connection: PostgreSQL skips parsing and planning them, and Npgsql's reset of a pooled connection keeps
        // cached plans while it has prepared statements (without any, it sends DISCARD ALL, which also throws away
        // the audit trigger's plans).
        MaxAutoPrepare = 50,
    }.ConnectionString;

    public void CreateDatabaseIfMissing(string database) => CreateDatabaseIfMissing(ConnectionString("postgres"), database);

    /// <summary>Creates a database on any server the connection string reaches (its own database is only used to connect).</summary>
    public static void CreateDatabaseIfMissing(string serverConnectionString, string database)
    {
        using var connection = new NpgsqlConnection(serverConnectionString);
        connection.Open();
        using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (exists.ExecuteScalar() is not null) return;
        using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"")}\"", connection);
        try { create.ExecuteNonQuery(); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { }
    }

    private void StartServer()
    {
        Directory.CreateDirectory(RootDirectory);
        using var folderLock = AcquireFolderLock();
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION"))) InitialiseCluster();
        Password = File.ReadAllText(PasswordFile).Trim();

        var running = RunningPort();
        if (running is { } port)
        {
            Port = port;
            // A cluster whose starter died (killed, crashed) is adopted, so somebody stops it.
            _ownsServer = !OwnerIsAlive();
            if (_ownsServer) File.WriteAllText(OwnerFile, Environment.ProcessId.ToString());
        }
        else
        {
            RemoveStalePidFile();
            StartOnFreePort();
            _ownsServer = true;
            File.WriteAllText(OwnerFile, Environment.ProcessId.ToString());
        }
        CreateDatabaseIfMissing(_options.Database);
    }

    private void InitialiseCluster()
    {
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
        Directory.CreateDirectory(DataDirectory);
        GiveToOsUser(RootDirectory, recursive: false);
        GiveToOsUser(DataDirectory, recursive: true);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        File.WriteAllText(PasswordFile, password);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // initdb reads the password from a file the cluster's OS user can read; it is deleted right after.
        var initPasswordFile = Path.Combine(RootDirectory, ".initdb-password");
        File.WriteAllText(initPasswordFile, password);
        GiveToOsUser(initPasswordFile, recursive: false);
        try
        {
            Run("initdb", $"-D \"{DataDirectory}\" -U {SuperUser} --pwfile=\"{initPasswordFile}\" " +
                          "--auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8", TimeSpan.FromSeconds(120));
        }
        finally { File.Delete(initPasswordFile); }

        // Small-footprint settings suited to a local service; a real deployment brings its own server.
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.conf"),
            "\n# TicketLedger embedded defaults\nlisten_addresses = '127.0.0.1'\nmax_connections = 200\n" +
            "shared_buffers = 128MB\nfsync = on\nsynchronous_commit = on\nunix_socket_directories = ''\n");
    }

    private void StartOnFreePort()
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = _options.Port ?? FreeLoopbackPort();
            try
            {
                Run("pg_ctl", $"start -w -t 60 -D \"{DataDirectory}\" -l \"{LogFile}\" -o \"-p {port}\"", TimeSpan.FromSeconds(90));
                Port = port;
                return;
            }
            catch (InvalidOperationException e) when (_options.Port is null)
            {
                // Another process may have taken the port between our probe and the server's bind.
                last = e;
            }
        }
        throw new InvalidOperationException($"Embedded PostgreSQL did not start; see {LogFile}", last);
    }

    private int? RunningPort()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var status = RunRaw("pg_ctl", $"status -D \"{DataDirectory}\"", TimeSpan.FromSeconds(15));
        if (status.ExitCode != 0) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) && CanConnect(port) ? port : null;
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(IPAddress.Loopback, port).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (SocketException) { return false; }
        catch (AggregateException) { return false; }
    }

    private void RemoveStalePidFile()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (File.Exists(pidFile)) File.Delete(pidFile);
    }

    private bool OwnerIsAlive()
    {
        if (!File.Exists(OwnerFile) || !int.TryParse(File.ReadAllText(OwnerFile).Trim(), out var pid)) return false;
        if (pid == Environment.ProcessId) return true;
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Serialises start-up between instances on one folder; released once the server is up.</summary>
    private FileStream AcquireFolderLock()
    {
        var path = Path.Combine(RootDirectory, "start.lock");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(200); }
        }
    }

    public void Dispose()
    {
        if (!_ownsServer) return;
        _ownsServer = false;
        RunRaw("pg_ctl", $"stop -w -t 60 -m fast -D \"{DataDirectory}\"", TimeSpan.FromSeconds(70));
        if (File.Exists(OwnerFile)) File.Delete(OwnerFile);
        if (_options.DeleteOnDispose) Directory.Delete(RootDirectory, recursive: true);
    }

    private void GiveToOsUser(string path, bool recursive)
    {
        if (_osUser is null) return;
        var result = RunRawProcess("chown", $"{(recursive ? "-R " : "")}{_osUser} \"{path}\"", TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0) throw new InvalidOperationException($"chown {_osUser} {path} failed: {result.Output}");
    }

    private void Run(string tool, string arguments, TimeSpan timeout)
    {
        var result = RunRaw(tool, arguments, timeout);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {arguments} failed ({result.ExitCode}): {result.Output}");
    }

    private (int ExitCode, string Output) RunRaw(string tool, string arguments, TimeSpan timeout)
    {
        var executable = Path.Combine(_binDir, tool);
        // PostgreSQL refuses to run as root, so as root the cluster belongs to an unprivileged OS user.
        return _osUser is null
            ? RunRawProcess(executable, arguments, timeout)
            : RunRawProcess("runuser", $"-u {_osUser} -- \"{executable}\" {arguments}", timeout);
    }

    private static (int ExitCode, string Output) RunRawProcess(string file, string arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}");
        // pg_ctl start leaves the server holding inherited pipes; read asynchronously so we never wait on them.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalSeconds}s");
        }
        var output = string.Join('\n', Completed(stdout), Completed(stderr)).Trim();
        return (process.ExitCode, output);
    }

    private static string Completed(Task<string> read) => read.Wait(TimeSpan.FromSeconds(1)) ? read.Result : "";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool HasServer(string? dir) =>
        dir is not null && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

    public static string? FindBinaries()
    {

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasServer);
        if (onPath is not null) return onPath;

        try
        {
            var fromPgConfig = RunRawProcess("pg_config", "--bindir", TimeSpan.FromSeconds(10));
            if (fromPgConfig.ExitCode == 0 && HasServer(fromPgConfig.Output.Trim())) return fromPgConfig.Output.Trim();
        }
        catch (System.ComponentModel.Win32Exception) { }

        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot)) return null;
        return Directory.GetDirectories(debianRoot)
            .Select(dir => (Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0, Bin: Path.Combine(dir, "bin")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Bin)
            .FirstOrDefault(HasServer);
    }
}

public sealed record EmbeddedPostgresOptions
{
    /// <summary>Folder holding the cluster, its password and its log; kept between runs.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory();
    public string Database { get; init; } = "ticketledger";
    public string? BinDirectory { get; init; }
    /// <summary>OS user that owns and runs the cluster when the service runs as root.</summary>
    public string OsUser { get; init; } = "postgres";
    public int? Port { get; init; }
    public bool DeleteOnDispose { get; init; }

    public static string DefaultDataDirectory() =>
        Environment.UserName == "root"
            ? "/var/lib/ticketledger/postgres"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ticketledger", "postgres");
}
