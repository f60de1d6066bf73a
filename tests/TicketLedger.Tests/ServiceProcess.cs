using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TicketLedger.Tests;

/// <summary>
/// The built service started with `dotnet TicketLedger.dll` in Development (its local keys), for tests of crashes and
/// restarts, which only a real process can have; the environment given to Start adds or overrides settings.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly Uri _address;

    private ServiceProcess(Process process, Uri address) => (_process, _address) = (process, address);

    public static ServiceProcess Start(string connectionString, IReadOnlyDictionary<string, string>? environment = null)
    {
        var app = AppDirectory();
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(app, "TicketLedger.dll")])
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = address.ToString(),
                ["ConnectionStrings__Marten"] = connectionString,
            },
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(process, address);
    }

    /// <summary>An API client once /health/ready answers 200.</summary>
    public async Task<HttpClient> ReadyAsync(TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = _address };
        client.DefaultRequestHeaders.Add("X-Api-Key", Keys.Staff);
        await Eventually.Until(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited with {_process.ExitCode} before it was ready.");
            try { return (await client.GetAsync("/health/ready")).StatusCode; }
            catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
        }, status => status == HttpStatusCode.OK, timeout, "the service to be ready");
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no draining of the outbox.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
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
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        for (var dir = testBin; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TicketLedger.sln")))
                return Path.Combine(dir.FullName, "src", "TicketLedger", "bin", configuration, framework);
        throw new DirectoryNotFoundException("TicketLedger.sln not found above " + AppContext.BaseDirectory);
    }
}
