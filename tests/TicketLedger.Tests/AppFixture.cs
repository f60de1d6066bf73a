using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Tickets;
using Wolverine;

namespace TicketLedger.Tests;

/// <summary>The documented local keys of appsettings.Development.json, one per role.</summary>
public static class Keys
{
    public const string Staff = "local-staff-key";
    public const string Auditor = "local-auditor-key";
    public const string Bureau = "local-bureau-key";
    public const string Admin = "local-admin-key";
}

/// <summary>One host per test collection on a database of its own; tests reset the data, not the host.</summary>
public abstract class AppFixture : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;

    protected abstract string DatabaseName { get; }

    protected virtual void Configure(IWebHostBuilder builder) { }

    public virtual async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.ConnectionStringFor(DatabaseName);
        Host = await AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            // No checkpoint in the background: its CheckpointPublished messages would land in other tests' tracked
            // sessions. Tests of the transparency log issue checkpoints themselves.
            x.UseSetting("Audit:CheckpointEvery", "1.00:00:00");
            x.ConfigureServices(s => s.RunWolverineInSoloMode());
            Configure(x);
        });
    }

    public async Task ResetAsync()
    {
        // The async ledger's agent is Wolverine's: emptying the tables under a running shard leaves it on a position that
        // is gone (docs/nodes.md), so the reset runs paused, and the test waits for the agent to run again. Marten's host
        // reset is not used: it stops and starts the daemon's shards itself, behind Wolverine's back.
        await Host.Services.GetRequiredService<TicketLedger.Hosting.ProjectionAgents>()
            .WhilePausedAsync(() => Host.DocumentStore().Advanced.ResetAllData(), CancellationToken.None, untilRunningAgain: true);
        // The ticket-number counters are a table of the store's schema, not Marten data: without this a test's numbers
        // would depend on which tests raised tickets before it.
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync();
            await using var clear = new Npgsql.NpgsqlCommand($"delete from {store.Options.DatabaseSchemaName}.{TicketNumbers.TableName}", connection);
            await clear.ExecuteNonQueryAsync();
        }
        Host.Services.GetRequiredService<TicketNumberGate>().Forget();
    }

    /// <summary>A fixture that skipped its start (RabbitMQ without a broker) has no host to stop.</summary>
    public virtual async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
    }
}

public sealed class ApiFixture : AppFixture
{
    protected override string DatabaseName => "tl_api";
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

/// <summary>Base for tests on the shared API host: each test starts from an empty store.</summary>
[Collection(ApiCollection.Name)]
public abstract class ApiTest(ApiFixture fixture) : IAsyncLifetime
{
    protected IAlbaHost Host => fixture.Host;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
