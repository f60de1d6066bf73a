using TicketLedger.Hosting;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// The built service (`dotnet TicketLedger.dll`) as systemd or a container starts it: from a working directory of its
/// own (an empty temporary folder, not the build output) with its settings in environment variables.
/// </summary>
public sealed class RunningService : IAsyncLifetime
{
    public const string Key = "process-test-key";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("ticketledger-cwd-").FullName;
    private ServiceProcess? _service;

    public Uri Address => _service!.Address;

    public string Output => _service!.Output;

    public async Task InitializeAsync()
    {
        _service = ServiceProcess.Start(TestDatabase.ConnectionStringFor("tl_process"), new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0__Name"] = "process-test",
            ["Auth__ApiKeys__0__Role"] = Roles.Staff,
            ["Auth__ApiKeys__0__KeySha256"] = ApiKeyRegistry.Hash(Key),
        }, _workingDirectory);
        using var ready = await _service.ReadyAsync(StartTimeout, Key);
    }

    public HttpClient Client() => new() { BaseAddress = Address };

    public Task DisposeAsync()
    {
        _service?.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
        return Task.CompletedTask;
    }
}
