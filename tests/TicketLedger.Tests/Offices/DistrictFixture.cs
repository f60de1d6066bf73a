using System.Security.Cryptography;
using System.Text;
using Alba;
using Microsoft.AspNetCore.Hosting;

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
    public const string GangquAuditor = "gangqu-auditor-key";
    public const string YinheAdmin = "yinhe-admin-key";

    /// <summary>(key, name, role, Office, Offices), appended after the four Development keys.</summary>
    public static readonly (string Key, string Name, string Role, string? Office, string? Offices)[] All =
    [
        (YinheStaff, "yinhe-staff", "staff", "yinhe", null),
        (GangquStaff, "gangqu-staff", "staff", "gangqu", null),
        (KashiStaff, "kashi-staff", "staff", "kashi", null),
        (TwoOfficeStaff, "two-office-staff", "staff", null, "yinhe, gangqu"),
        (GangquAuditor, "gangqu-auditor", "auditor", "gangqu", null),
        (YinheAdmin, "yinhe-admin", "admin", "yinhe", null),
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

    protected override void Configure(IWebHostBuilder builder)
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
        }
    }
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

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}

public static class OfficeScenarios
{
    public static void InOffice(this Scenario x, string office) => x.WithRequestHeader("X-Office", office);
}
