using System.Security.Cryptography;
using System.Text;
using Alba;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketLedger.Hosting;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// Keys of the district host. The local Development keys (<see cref="Keys"/>) may use every office ("Offices": "*")
/// and so must name one in X-Office; these are bound to one office or allowed a list.
/// </summary>
public static class DistrictKeys
{
    public const string YinheStaff = "yinhe-staff-key";
    public const string GangquStaff = "gangqu-staff-key";
    public const string KashiStaff = "kashi-staff-key";
    /// <summary>Staff allowed yinhe and gangqu, not kashi.</summary>
    public const string TwoOfficeStaff = "two-office-staff-key";
    /// <summary>Staff allowed yinhe and gangqu, yinhe named twice in its list.</summary>
    public const string RepeatedOfficeStaff = "repeated-office-staff-key";
    public const string GangquAuditor = "gangqu-auditor-key";
    public const string YinheAdmin = "yinhe-admin-key";
    /// <summary>The bureau jfj-gxc (as the Development bureau key), bound to one office.</summary>
    public const string YinheBureau = "yinhe-bureau-key";
    public const string GangquBureau = "gangqu-bureau-key";

    /// <summary>(key, name, role, Office, Offices, Bureau), appended after the four Development keys.</summary>
    public static readonly (string Key, string Name, string Role, string? Office, string? Offices, string? Bureau)[] All =
    [
        (YinheStaff, "yinhe-staff", "staff", "yinhe", null, null),
        (GangquStaff, "gangqu-staff", "staff", "gangqu", null, null),
        (KashiStaff, "kashi-staff", "staff", "kashi", null, null),
        (TwoOfficeStaff, "two-office-staff", "staff", null, "yinhe, gangqu", null),
        (GangquAuditor, "gangqu-auditor", "auditor", "gangqu", null, null),
        (YinheAdmin, "yinhe-admin", "admin", "yinhe", null, null),
        (YinheBureau, "yinhe-bureau", "bureau", "yinhe", null, "jfj-gxc"),
        (GangquBureau, "gangqu-bureau", "bureau", "gangqu", null, "jfj-gxc"),
        (RepeatedOfficeStaff, "repeated-office-staff", "staff", null, "yinhe, gangqu, yinhe", null),
    ];
}

/// <summary>
/// A district of three offices: yinhe and gangqu on Beijing time, kashi on Urumqi time (UTC+6), so "the same day"
/// and ledger days differ between offices.
/// </summary>
public sealed class DistrictFixture : AppFixture
{
    public const string Yinhe = "yinhe";
    public const string Gangqu = "gangqu";
    public const string Kashi = "kashi";
    public const string DistrictName = "郑州航空港区";

    protected override string DatabaseName => "tl_district";

    protected override void Configure(IWebHostBuilder builder) => ConfigureDistrict(builder, Clock);

    /// <summary>The three offices, the district's keys and the movable clock, for any host of this district.</summary>
    public static void ConfigureDistrict(IWebHostBuilder builder, ShiftedClock clock)
    {
        var offices = new[] { (Yinhe, "银河办事处", "Asia/Shanghai"), (Gangqu, "港区办事处", "Asia/Shanghai"), (Kashi, "喀什办事处", "Asia/Urumqi") };
        foreach (var (i, (code, name, zone)) in offices.Index())
        {
            builder.UseSetting($"Offices:{i}:Code", code);
            builder.UseSetting($"Offices:{i}:Name", name);
            builder.UseSetting($"Offices:{i}:TimeZone", zone);
        }
        builder.UseSetting("District:Name", DistrictName);
        foreach (var (i, key) in DistrictKeys.All.Index())
        {
            var index = 4 + i;
            builder.UseSetting($"Auth:ApiKeys:{index}:Name", key.Name);
            builder.UseSetting($"Auth:ApiKeys:{index}:Role", key.Role);
            builder.UseSetting($"Auth:ApiKeys:{index}:KeySha256", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))));
            if (key.Office is not null) builder.UseSetting($"Auth:ApiKeys:{index}:Office", key.Office);
            if (key.Offices is not null) builder.UseSetting($"Auth:ApiKeys:{index}:Offices", key.Offices);
            if (key.Bureau is not null) builder.UseSetting($"Auth:ApiKeys:{index}:Bureau", key.Bureau);
        }
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(clock);
        });
    }

    /// <summary>The host's clock: real time unless a test moves it to another moment of the day.</summary>
    public ShiftedClock Clock { get; } = new();
}

[CollectionDefinition(Name)]
public sealed class DistrictCollection : ICollectionFixture<DistrictFixture>
{
    public const string Name = "district";
}

/// <summary>Base for tests on the district host: each test starts from an empty store.</summary>
[Collection(DistrictCollection.Name)]
public abstract class DistrictTest(DistrictFixture fixture) : IAsyncLifetime
{
    protected IAlbaHost Host => fixture.Host;

    protected DistrictFixture Fixture => fixture;

    /// <summary>The clock back to real time; the fixture's reset empties the store and the ticket counters.</summary>
    public async Task InitializeAsync()
    {
        fixture.Clock.Reset();
        await fixture.ResetAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public static class OfficeScenarios
{
    public static void InOffice(this Scenario x, string office) => x.WithRequestHeader("X-Office", office);
}

/// <summary>
/// Real time moved by a fixed shift: a test sets the moment it needs (say, just after midnight in Beijing, still the
/// evening before in Urumqi) and time keeps running from there, as the service's timers expect.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private TimeSpan _shift;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _shift;

    public void MoveTo(DateTimeOffset now) => _shift = now - base.GetUtcNow();

    public void Reset() => _shift = TimeSpan.Zero;
}
