using Alba;
using Marten;
using Marten.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketLedger.Audit;
using TicketLedger.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Audit;

/// <summary>
/// A host and database of its own: these tests tamper with the event table. The background sealer is slowed to
/// once an hour so each test decides when sealing happens.
/// </summary>
public sealed class AuditFixture : AppFixture
{
    protected override string DatabaseName => "tl_audit";

    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Audit:SealEvery", "01:00:00");
}

[CollectionDefinition(Name)]
public sealed class AuditCollection : ICollectionFixture<AuditFixture>
{
    public const string Name = "audit";
}

[Collection(AuditCollection.Name)]
public abstract class AuditTest(AuditFixture fixture) : IAsyncLifetime
{
    protected IAlbaHost Host => fixture.Host;
    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();
    protected AuditChain Chain => Host.Services.GetRequiredService<AuditChains>().Default;

    public Task InitializeAsync() => ResetStoreAsync();

    /// <summary>The fixture's reset, with the projection agents paused (<see cref="AppFixture.ResetAsync"/>).</summary>
    protected Task ResetStoreAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Eight events over three streams, interleaved so that streams and the global order differ:
    /// 1 subject registered, 2 ticket A raised, 3 ticket B raised, 4 A assigned, 5 subject visited,
    /// 6 B assigned, 7 A resolved, 8 B resolved.
    /// </summary>
    protected async Task<(Guid Subject, Guid TicketA, Guid TicketB)> AppendStoryAsync()
    {
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        var subject = Guid.NewGuid();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        await AppendAsync(subject, new SubjectRegistered(subject, "yinhe", SubjectKind.Enterprise, "Yinhe Textiles", "91350100M000100Y43",
            EnterpriseScale.Above, KeyProjectLevel.None, "1 Mill Road", new Contact("Lin", "13800000000"), at), start: true);
        await AppendAsync(a, Raised(a, subject, "A-1", at), start: true);
        await AppendAsync(b, Raised(b, subject, "B-1", at), start: true);
        await AppendAsync(a, new TicketAssigned(a, "labour", at));
        await AppendAsync(subject, new SubjectVisited(subject, DateOnly.FromDateTime(at.UtcDateTime), "kim", "masks short", at));
        await AppendAsync(b, new TicketAssigned(b, "logistics", at));
        await AppendAsync(a, new TicketResolved(a, "masks delivered", at));
        await AppendAsync(b, new TicketResolved(b, "route reopened", at));
        return (subject, a, b);
    }

    protected static TicketRaised Raised(Guid id, Guid subject, string number, DateTimeOffset at) =>
        new(id, "yinhe", number, subject, "supplies", "Masks", "Short of masks", TicketSource.Visit, at, at.AddHours(8));

    protected async Task AppendAsync(Guid stream, object @event, bool start = false)
    {
        await using var session = Store.LightweightSession("yinhe");
        session.LastModifiedBy = "kim";
        session.CorrelationId = $"test-{Guid.NewGuid():N}";
        if (start) session.Events.StartStream(stream, @event);
        else session.Events.Append(stream, @event);
        await session.SaveChangesAsync();
    }

    /// <summary>Tampering goes straight at the tables, as someone with database access would.</summary>
    protected async Task SqlAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected async Task<long> CountAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    protected async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = Store.Storage.Database.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync();
        return connection;
    }
}
