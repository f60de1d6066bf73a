using System.Diagnostics;

namespace TicketLedger.Benchmarks;

/// <summary>
/// A CPU profile of the service while a profile runs, taken by Linux perf (`BENCH_TRACE_DIR=<folder>`): the evidence
/// for where service CPU per command goes, on CPU only (a .NET thread-time trace counts waiting threads too). Give the
/// service `BENCH_SERVICE_SET_DOTNET_PerfMapEnabled=1` so perf can name JIT-compiled methods, and
/// `BENCH_SERVICE_SET_DOTNET_ReadyToRun=0` so precompiled ones are JIT-compiled and named too, and
/// `BENCH_SERVICE_SET_DOTNET_EnableWriteXorExecute=0` so code is not mapped from a file perf cannot read; read the result with
/// `perf report -i <file> --no-children --sort sym`. Off by default, because the sampling itself costs CPU.
/// </summary>
public sealed class CpuTrace : IAsyncDisposable
{
    private readonly Process _recorder;

    private CpuTrace(Process recorder) => _recorder = recorder;

    public static async Task<CpuTrace?> StartAsync(int pid, string name)
    {
        if (Environment.GetEnvironmentVariable("BENCH_TRACE_DIR") is not { Length: > 0 } folder) return null;
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo("perf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", pid.ToString(), "-o", Path.Combine(folder, $"{name}.perf") })
            info.ArgumentList.Add(a);
        var recorder = Process.Start(info)!;
        _ = recorder.StandardOutput.ReadToEndAsync();
        _ = recorder.StandardError.ReadToEndAsync();
        // perf attaches within milliseconds; a command before that would go unsampled.
        await Task.Delay(500);
        return new CpuTrace(recorder);
    }

    public async ValueTask DisposeAsync()
    {
        // Ctrl-C is how perf is told to write its file out.
        using var signal = Process.Start("kill", ["-INT", _recorder.Id.ToString()]);
        await signal.WaitForExitAsync();
        await _recorder.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _recorder.Dispose();
    }
}
