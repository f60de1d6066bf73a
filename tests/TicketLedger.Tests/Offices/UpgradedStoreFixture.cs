using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Wolverine;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// A store written and seeded by the last single-office build (Fixtures/single-office-1fd3792), restored as it was
/// and opened by this build: the upgrade happens when the host starts. Signs with the key that signed its checkpoints.
/// </summary>
public abstract class UpgradedStoreFixture : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;

    protected abstract string DatabaseName { get; }

    protected virtual void Configure(IWebHostBuilder builder) { }

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.EmptyConnectionStringFor(DatabaseName);
        await SingleOfficeFixture.RestoreAsync(connectionString);
        Host = await AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("Audit:SigningKeyFile", SingleOfficeFixture.SigningKeyFile);
            x.UseSetting("Audit:CheckpointEvery", "1.00:00:00");
            x.ConfigureServices(s => s.RunWolverineInSoloMode());
            Configure(x);
        });
    }

    public async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
    }
}

/// <summary>Upgraded and still one office, configured as before (nothing set: `yinhe`).</summary>
public sealed class UpgradedSingleOfficeFixture : UpgradedStoreFixture
{
    protected override string DatabaseName => "tl_upgraded_single";
}

[CollectionDefinition(Name)]
public sealed class UpgradedSingleOfficeCollection : ICollectionFixture<UpgradedSingleOfficeFixture>
{
    public const string Name = "upgraded-single-office";
}

/// <summary>Upgraded into a district: the old data belongs to `Ledger:Office` (yinhe), gangqu starts empty.</summary>
public sealed class UpgradedDistrictFixture : UpgradedStoreFixture
{
    protected override string DatabaseName => "tl_upgraded_district";

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Offices:0:Code", DistrictFixture.Yinhe);
        builder.UseSetting("Offices:1:Code", DistrictFixture.Gangqu);
    }
}

[CollectionDefinition(Name)]
public sealed class UpgradedDistrictCollection : ICollectionFixture<UpgradedDistrictFixture>
{
    public const string Name = "upgraded-district";
}
