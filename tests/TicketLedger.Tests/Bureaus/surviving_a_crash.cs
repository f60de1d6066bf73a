using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Bureaus;

/// <summary>
/// The service as a real process (the built TicketLedger.dll) on RabbitMQ, killed with SIGKILL right after answering
/// an escalation: the message waits in the outbox table and goes out once the service runs again. The broker is
/// stopped while the escalation is made, so the kill certainly lands before the message could have left.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class surviving_a_crash
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [RabbitMqFact]
    public async Task an_escalation_answered_just_before_a_kill_is_sent_after_the_restart()
    {
        var database = TestDatabase.ConnectionStringFor("tl_crash");

        using var first = ServiceProcess.Start(database);
        Guid ticketId;
        try
        {
            using var api = await first.ReadyAsync(Timeout);
            await RabbitMqBroker.PurgeAsync("bureau.zjj");
            var subject = await Created(await api.PostAsJsonAsync("/api/subjects", SubjectScenarios.Enterprise()));
            ticketId = await Created(await api.PostAsJsonAsync("/api/tickets", TicketScenarios.RaiseBody(subject)));

            RabbitMqBroker.Ctl("stop_app");
            var escalate = await api.PostAsJsonAsync($"/api/tickets/{ticketId}/escalate", new { bureau = "zjj", reason = "需要质监站协调" });
            Assert.Equal(HttpStatusCode.NoContent, escalate.StatusCode);
            first.Kill();
        }
        finally
        {
            RabbitMqBroker.Ctl("start_app");
        }

        using var second = ServiceProcess.Start(database);
        using (await second.ReadyAsync(Timeout))
        {
            var received = await RabbitMqBroker.ReadAsync("bureau.zjj",
                r => r.Any(m => m.Body.GetProperty("ticketId").GetGuid() == ticketId), Timeout);
            var message = Assert.Single(received);
            Assert.Equal((BureauScenarios.EscalatedType, "zjj"), (message.Type, message.Body.GetProperty("bureau").GetString()));
        }
    }

    private static async Task<Guid> Created(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
    }
}

/// <summary>The built service started with `dotnet TicketLedger.dll` in Development (its local keys), on RabbitMQ.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly Uri _address;

    private ServiceProcess(Process process, Uri address) => (_process, _address) = (process, address);

    public static ServiceProcess Start(string connectionString)
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
                ["Messaging__Transport"] = "rabbitmq",
                ["Messaging__RabbitMqUri"] = RabbitMqBroker.Uri,
            },
        };
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
