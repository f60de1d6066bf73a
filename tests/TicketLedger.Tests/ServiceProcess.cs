using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TicketLedger.Tests.Bureaus;

namespace TicketLedger.Tests;

/// <summary>
/// The built service as a real process (`dotnet TicketLedger.dll`, Development: its local keys) listening on a free
/// loopback port: for what an in-memory test server cannot show, a crash or a browser.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, Uri address) => (_process, Address) = (process, address);

    public Uri Address { get; }

    /// <param name="workingDirectory">Where it is started from; the build output when not given.</param>
    public static ServiceProcess Start(string connectionString, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var process = new ServiceProcess(Launch(connectionString, environment, address, [], workingDirectory), address);
        process.Capture();
        return process;
    }

    /// <summary>A command of the executable (e.g. `seed`) run to its end: its output, which is in the exception when it fails.</summary>
    public static Task<string> RunToEnd(string connectionString, TimeSpan timeout, params string[] arguments) =>
        RunToEnd(connectionString, null, timeout, arguments);

    public static async Task<string> RunToEnd(
        string connectionString, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] arguments)
    {
        using var process = new ServiceProcess(Launch(connectionString, environment, null, arguments, null), new Uri("http://127.0.0.1"));
        process.Capture();
        using var deadline = new CancellationTokenSource(timeout);
        try { await process._process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"`{string.Join(' ', arguments)}` ran longer than {timeout}:\n{process.Output}"); }
        if (process._process.ExitCode != 0)
            throw new InvalidOperationException($"`{string.Join(' ', arguments)}` exited with {process._process.ExitCode}:\n{process.Output}");
        return process.Output;
    }

    private static Process Launch(
        string connectionString, IReadOnlyDictionary<string, string>? environment, Uri? address, string[] arguments, string? workingDirectory)
    {
        var app = AppDirectory();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(app, "TicketLedger.dll"), .. arguments])
        {
            WorkingDirectory = workingDirectory ?? app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ConnectionStrings__Marten"] = connectionString,
            },
        };
        if (address is not null) start.Environment["ASPNETCORE_URLS"] = address.ToString();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    private void Capture()
    {
        _process.OutputDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        _process.ErrorDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>An API client once /health/ready answers 200.</summary>
    public async Task<HttpClient> ReadyAsync(TimeSpan timeout, string key = Keys.Staff)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        await Eventually.Until(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited with {_process.ExitCode} before it was ready:\n{Output}");
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
