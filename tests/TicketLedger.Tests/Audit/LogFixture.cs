using System.Text.Json;
using Alba;
using Marten;
using Marten.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketLedger.Audit;
using TicketLedger.Tests.Tickets;
using TicketLedger.Transparency;

namespace TicketLedger.Tests.Audit;

/// <summary>
/// A host and database of its own with a known signing key and one witness, the bureau rsj. The background writer is
/// slowed to once an hour so each test decides when leaves are appended and checkpoints issued.
/// </summary>
public sealed class LogFixture : AppFixture
{
    public static readonly NoteSigner Office = new("ticketledger/yinhe", Convert.FromBase64String("x4vQ0ZBBuK1Z8fHq1oS1w0Ufp2zn7CtQvDq8pMRW0c4="));
    public static readonly NoteSigner Witness = new("rsj.witness", Convert.FromBase64String("q2Fd1eYl6cWZs1xVn9X3H0i3yCjCw8S3Q1pJ0wKJr5A="));

    protected override string DatabaseName => "tl_log";

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Audit:SealEvery", "01:00:00");
        builder.UseSetting("Audit:SigningKey", "x4vQ0ZBBuK1Z8fHq1oS1w0Ufp2zn7CtQvDq8pMRW0c4=");
        builder.UseSetting("Audit:Witnesses:0:Name", Witness.Verifier.Name);
        builder.UseSetting("Audit:Witnesses:0:PublicKey", Convert.ToBase64String(Witness.Verifier.PublicKey));
    }
}

[CollectionDefinition(Name)]
public sealed class LogCollection : ICollectionFixture<LogFixture>
{
    public const string Name = "transparency-log";
}

[Collection(LogCollection.Name)]
public abstract class LogTest(LogFixture fixture) : IAsyncLifetime
{
    protected IAlbaHost Host => fixture.Host;
    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();
    protected TransparencyLog Log => Host.Services.GetRequiredService<TransparencyLogs>().Default;

    public Task InitializeAsync() => ResetStoreAsync();

    /// <summary>The fixture's reset, with the projection agents paused (<see cref="AppFixture.ResetAsync"/>).</summary>
    protected Task ResetStoreAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected async Task<string> GetTextAsync(string url, string key = Keys.Auditor, int status = 200)
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url(url);
            x.WithKey(key);
            x.StatusCodeShouldBe(status);
        });
        return result.ReadAsText();
    }

    protected async Task<T> GetAsync<T>(string url) => JsonSerializer.Deserialize<T>(await GetTextAsync(url), Documents.Json)!;

    /// <summary>GET /api/audit/checkpoint, parsed and checked against the office's key.</summary>
    protected async Task<(SignedNote Note, Checkpoint Checkpoint)> CheckpointAsync()
    {
        Assert.True(SignedNote.TryParse(await GetTextAsync("/api/audit/checkpoint"), out var note));
        Assert.True(LogFixture.Office.Verifier.Signed(note));
        Assert.True(Checkpoint.TryParse(note.Body, out var checkpoint));
        return (note, checkpoint);
    }

    protected async Task SqlAsync(string sql)
    {
        await using var connection = Store.Storage.Database.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected async Task<long> CountAsync(string sql)
    {
        await using var connection = Store.Storage.Database.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
