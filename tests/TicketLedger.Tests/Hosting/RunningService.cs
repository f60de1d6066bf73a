using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TicketLedger.Hosting;
using TicketLedger.Tests.Bureaus;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// The built service (`dotnet TicketLedger.dll serve`) as systemd or a container starts it: from a working directory of
/// its own (an empty temporary folder, not the build output) with its settings in environment variables.
/// </summary>
public sealed class RunningService : IAsyncLifetime
{
    public const string Key = "process-test-key";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("ticketledger-cwd-").FullName;
    private readonly System.Text.StringBuilder _output = new();
    private Process? _process;

    public Uri Address { get; } = new($"http://127.0.0.1:{FreePort()}");

    public string Output { get { lock (_output) return _output.ToString(); } }

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppDirectory(), "TicketLedger.dll"), "serve"])
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                // Development only for its run-time code generation (Debug builds carry no pre-generated code).
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = Address.ToString(),
                ["ConnectionStrings__Marten"] = TestDatabase.ConnectionStringFor("tl_process"),
                ["Auth__ApiKeys__0__Name"] = "process-test",
                ["Auth__ApiKeys__0__Role"] = Roles.Staff,
                ["Auth__ApiKeys__0__KeySha256"] = ApiKeyRegistry.Hash(Key),
            },
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = Address };
        await Eventually.Until(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited with {_process.ExitCode}:\n{Output}");
            try { return (await client.GetAsync("/health/ready")).StatusCode; }
            catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
        }, status => status == HttpStatusCode.OK, StartTimeout, "the service to be ready");
    }

    public HttpClient Client() => new() { BaseAddress = Address };

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
        return Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>src/TicketLedger/bin/&lt;configuration&gt;/net10.0, built with this test project.</summary>
    private static string AppDirectory()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var dir = testBin; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TicketLedger.sln")))
                return Path.Combine(dir.FullName, "src", "TicketLedger", "bin", testBin.Parent!.Name, testBin.Name);
        throw new DirectoryNotFoundException("TicketLedger.sln not found above " + AppContext.BaseDirectory);
    }
}
