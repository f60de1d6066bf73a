using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tests.Tickets;
using Wolverine;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// A running service whose PostgreSQL stops under it: a cluster of its own, started by the product's embedded-cluster
/// component, stopped once the service is up, and started again on the same port before the service shuts down.
/// </summary>
public sealed class OutageFixture : IAsyncLifetime
{
    private EmbeddedPostgresOptions _options = new()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "ticketledger-tests", "outage-" + Guid.NewGuid().ToString("N")),
        Database = "tl_outage",
        DeleteOnDispose = true,
    };

    private string _serverConnection = "";

    public IAlbaHost Host { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var cluster = EmbeddedPostgres.Start(_options with { DeleteOnDispose = false });
        _options = _options with { Port = cluster.Port };
        _serverConnection = cluster.ConnectionString("postgres");
        Host = await AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", cluster.ConnectionString());
            x.ConfigureServices(s => s.RunWolverineInSoloMode());
            x.ConfigureLogging(logging => logging.AddProvider(Logs));
        });
        cluster.Dispose();
    }

    public async Task DisposeAsync()
    {
        // The pooled connection the start-up used to create the database died with the first server.
        using (var stale = new NpgsqlConnection(_serverConnection)) NpgsqlConnection.ClearPool(stale);
        using var restarted = EmbeddedPostgres.Start(_options);
        await Host.DisposeAsync();
    }
}

public sealed class during_a_database_outage(OutageFixture fixture) : IClassFixture<OutageFixture>
{
    [Fact]
    public async Task a_write_is_a_503_problem_with_retry_after()
    {
        var result = await fixture.Host.Scenario(x =>
        {
            x.Post.Json(SubjectScenarios.Site()).ToUrl("/api/subjects");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(503);
            x.ContentTypeShouldBe("application/problem+json");
        });
        Assert.Equal(DatabaseOutage.RetryAfterSeconds.ToString(), result.Context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task a_read_is_a_503_problem_with_retry_after()
    {
        var result = await fixture.Host.Scenario(x =>
        {
            x.Get.Url("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(503);
            x.ContentTypeShouldBe("application/problem+json");
        });
        Assert.Equal(DatabaseOutage.RetryAfterSeconds.ToString(), result.Context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task the_503_is_logged_once_at_error_with_its_correlation_id()
    {
        await fixture.Host.Scenario(x =>
        {
            x.Get.Url($"/api/subjects/{Guid.CreateVersion7()}");
            x.WithKey(Keys.Staff);
            x.WithRequestHeader("X-Correlation-ID", "outage-test");
            x.StatusCodeShouldBe(503);
        });
        var logged = Assert.Single(fixture.Logs.Entries, e => e.Message.Contains("outage-test"));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.True(logged.Exception.Involves<Npgsql.NpgsqlException>());
    }
}
