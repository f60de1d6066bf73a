using Alba;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tests.Offices;

namespace TicketLedger.Tests.Nodes;

/// <summary>
/// The district of <see cref="DistrictFixture"/> on two PostgreSQL clusters: yinhe and gangqu in the main database, kashi
/// in `East`, a cluster of its own that a test may stop and start again on the same port.
/// </summary>
public sealed class SplitDistrictFixture : AppFixture
{
    public const string East = "East";

    private EmbeddedPostgresOptions _eastOptions = new()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "ticketledger-tests", "east-" + Guid.NewGuid().ToString("N")),
        Database = "tl_east",
    };

    private EmbeddedPostgres? _east;

    public ShiftedClock Clock { get; } = new();

    public string EastConnectionString { get; private set; } = "";

    public string MainConnectionString => TestDatabase.ConnectionStringFor(DatabaseName);

    protected override string DatabaseName => "tl_split_main";

    public override async Task InitializeAsync()
    {
        _east = EmbeddedPostgres.Start(_eastOptions);
        _eastOptions = _eastOptions with { Port = _east.Port };
        EastConnectionString = _east.ConnectionString();
        await base.InitializeAsync();
    }

    protected override void Configure(IWebHostBuilder builder)
    {
        DistrictFixture.ConfigureDistrict(builder, Clock);
        builder.UseSetting("Offices:2:Database", East);
        builder.UseSetting($"ConnectionStrings:{East}", EastConnectionString);
    }

    /// <summary>The district's offices and databases as a process of the service reads them (Development keys may use every office).</summary>
    public Dictionary<string, string> ProcessSettings() => new()
    {
        ["Offices__0__Code"] = DistrictFixture.Yinhe,
        ["Offices__1__Code"] = DistrictFixture.Gangqu,
        ["Offices__2__Code"] = DistrictFixture.Kashi,
        ["Offices__2__TimeZone"] = "Asia/Urumqi",
        ["Offices__2__Database"] = East,
        [$"ConnectionStrings__{East}"] = EastConnectionString,
    };

    /// <summary>East stops as a crashed server would, for the rest of the test; <see cref="StartEast"/> brings it back.</summary>
    public void StopEast()
    {
        _east!.Dispose();
        _east = null;
    }

    public void StartEast()
    {
        if (_east is not null) return;
        // The start-up's pooled connections to the server died with it (the service's own pools find out on first use).
        NpgsqlConnection.ClearAllPools();
        _east = EmbeddedPostgres.Start(_eastOptions);
    }

    public override async Task DisposeAsync()
    {
        StartEast();
        await base.DisposeAsync();
        _east!.Dispose();
        // Kept between a stop and a start (its password is in it), so deleted only now.
        Directory.Delete(_eastOptions.DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SplitDistrictCollection : ICollectionFixture<SplitDistrictFixture>
{
    public const string Name = "split-district";
}

[Collection(SplitDistrictCollection.Name)]
public abstract class SplitDistrictTest(SplitDistrictFixture fixture) : IAsyncLifetime
{
    protected IAlbaHost Host => fixture.Host;

    protected SplitDistrictFixture Fixture => fixture;

    public async Task InitializeAsync()
    {
        fixture.StartEast();
        fixture.Clock.Reset();
        await fixture.ResetAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
