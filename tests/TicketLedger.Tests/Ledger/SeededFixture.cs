using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Hosting;
using TicketLedger.Seeding;

namespace TicketLedger.Tests.Ledger;

/// <summary>A host on its own database, seeded once from seeds/ through the HTTP API; its tests only read.</summary>
public sealed class SeededFixture : AppFixture
{
    protected override string DatabaseName => "tl_seeded";

    public static string SeedsDirectory => SeedData.FindDirectory(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

    public int AddedByFirstRun { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ResetAsync();
        AddedByFirstRun = await Seed();
    }

    /// <summary>Runs the seed runner against the in-memory server, as `seed` runs it against a loopback listener.</summary>
    public async Task<int> Seed()
    {
        var key = Host.Services.GetRequiredService<ApiKeyRegistry>().IssueInternalKey("seed", Roles.Admin, "yinhe");
        using var api = Host.Server.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", key);
        var added = await new SeedRunner(api, Host.DocumentStore(), "yinhe", TextWriter.Null).Run(SeedData.Load(SeedsDirectory), CancellationToken.None);
        await Host.DocumentStore().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        return added;
    }
}

[CollectionDefinition(Name)]
public sealed class SeededCollection : ICollectionFixture<SeededFixture>
{
    public const string Name = "seeded";
}
