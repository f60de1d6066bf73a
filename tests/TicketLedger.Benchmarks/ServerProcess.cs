using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TicketLedger.Benchmarks;

/// <summary>A server under test in its own process: started, waited for, sampled for memory, stopped with SIGTERM (or killed).</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Stopwatch _sinceStart;
    private long _peakRssKb;

    public string BaseUrl { get; }
    public string LogFile { get; private init; } = "";
    public int Pid => _process.Id;
    public long PeakRssKb => Interlocked.Read(ref _peakRssKb);

    private ServerProcess(Process process, StreamWriter log, string baseUrl, Stopwatch sinceStart)
    {
        _sinceStart = sinceStart;
        _process = process;
        _log = log;
        BaseUrl = baseUrl;
    }

    public static ServerProcess Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string logFile)
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a.Replace("{port}", port.ToString()));
        foreach (var (k, v) in environment) info.Environment[k] = v.Replace("{port}", port.ToString());
        info.Environment["ASPNETCORE_URLS"] = baseUrl;

        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var sinceStart = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        lock (log) log.WriteLine($"[+{0,6} ms] ---- started {string.Join(' ', info.ArgumentList)}");
        // Each line stamped with the time since start: the start-up timeline is the evidence for cold-start figures.
        void Write(string? line) { if (line is not null) lock (log) log.WriteLine($"[+{sinceStart.ElapsedMilliseconds,6} ms] {line}"); }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } };
        return new ServerProcess(process, log, baseUrl, sinceStart) { LogFile = logFile };
    }

    /// <summary>Polls until the URL answers 2xx (in a district, in the office named); returns the time since the process was started.</summary>
    public async Task<TimeSpan> WaitUntilServingAsync(string path, string? apiKey, TimeSpan timeout, string? office = null)
    {
        using var http = LoadGenerator.Client(BaseUrl, apiKey);
        if (office is not null) http.DefaultRequestHeaders.Add(TicketLedger.Hosting.CurrentOffice.Header, office);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Path.GetFileName(_process.StartInfo.ArgumentList[0])} exited with {_process.ExitCode}; see the log.");
            try
            {
                using var response = await http.GetAsync(path);
                if (response.IsSuccessStatusCode) return _sinceStart.Elapsed;
            }
            catch (HttpRequestException) { }
            await Task.Delay(20);
        }
        throw new TimeoutException($"{BaseUrl}{path} did not answer within {timeout}.");
    }

    public string LogHead(int lines)
    {
        using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return string.Join('\n', Enumerable.Range(0, lines).Select(_ => reader.ReadLine()).TakeWhile(l => l is not null));
    }

    /// <summary>VmRSS of the process now, remembered as the peak when it is the largest seen.</summary>
    public long SampleRssKb()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:"));
            var kb = line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            long seen;
            do { seen = Interlocked.Read(ref _peakRssKb); } while (kb > seen && Interlocked.CompareExchange(ref _peakRssKb, kb, seen) != seen);
            return kb;
        }
        catch (IOException) { return 0; }
    }

    /// <summary>SIGKILL, as a crashed machine or an OOM kill: no shutdown, no deregistration, no draining.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
