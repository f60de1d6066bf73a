using System.Text.RegularExpressions;

namespace TicketLedger.Hosting;

/// <summary>
/// The offices of the deployment (docs/offices.md): `Offices:&lt;i&gt;:Code|Name|TimeZone`, or, with none configured, the
/// one office `Ledger:Office` in `Ledger:TimeZone`, which behaves exactly as a single-office deployment always has.
/// `Ledger:Office` also names the office that owns what a single-office build recorded before offices existed.
/// </summary>
public sealed partial class Offices
{
    public const string DefaultCode = "yinhe";
    public const string DefaultTimeZone = "Asia/Shanghai";

    private readonly Dictionary<string, Office> _byCode;

    private readonly TimeZoneInfo _defaultZone;

    public Offices(IReadOnlyList<Office> all, string home, string districtName, TimeZoneInfo defaultZone)
    {
        _defaultZone = defaultZone;
        All = all;
        _byCode = all.ToDictionary(o => o.Code, StringComparer.Ordinal);
        Home = home;
        DistrictName = districtName;
    }

    public IReadOnlyList<Office> All { get; }

    /// <summary>`Ledger:Office`: the office the seeds are loaded into and the owner of data recorded before tenancy.</summary>
    public string Home { get; }

    public string DistrictName { get; }

    public bool AreSeveral => All.Count > 1;

    /// <summary>
    /// Whether any office lives outside the main database: then Marten routes each office's sessions to its database;
    /// otherwise there is the one database, configured as it always was.
    /// </summary>
    public bool SpreadOverDatabases => All.Any(o => o.Database != Office.MainDatabase);

    /// <summary>The offices a database (a connection string name) holds.</summary>
    public IReadOnlyList<Office> In(string database) => All.Where(o => o.Database == database).ToList();

    /// <summary>The connection string names holding offices, the main one first when it holds any.</summary>
    public IReadOnlyList<string> Databases => All.Select(o => o.Database).Distinct().OrderBy(d => d == Office.MainDatabase ? 0 : 1).ToList();

    public Office? Find(string? code) => code is not null && _byCode.TryGetValue(code, out var office) ? office : null;

    public Office Get(string code) =>
        Find(code) ?? throw new InvalidOperationException($"'{code}' is not an office of this deployment ({string.Join(", ", _byCode.Keys)}).");

    /// <summary>
    /// The office whose clock dates what an office recorded: an office no longer configured keeps the default zone, so
    /// its history stays readable instead of stopping the ledger.
    /// </summary>
    public Office ClockOf(string code) => Find(code) ?? new Office(code, code, _defaultZone);

    /// <summary>The only office, where there is one; null in a district.</summary>
    public Office? Sole => All.Count == 1 ? All[0] : null;

    public static bool IsValidCode(string? code) => code is not null && CodePattern().IsMatch(code);

    [GeneratedRegex("^[a-z0-9-]{2,32}$")]
    private static partial Regex CodePattern();

    public static Offices From(IConfiguration configuration)
    {
        var defaultZone = configuration[Settings.TimeZone] is { Length: > 0 } zone ? zone : DefaultTimeZone;
        var home = configuration[Settings.Office] is { Length: > 0 } code ? code : DefaultCode;
        var district = configuration[Settings.DistrictName] is { Length: > 0 } name ? name : "district";
        var problems = new List<string>();

        var configured = configuration.GetSection(Settings.OfficesSection).GetChildren().ToList();
        var offices = configured.Count == 0
            ? [Build(home, home, defaultZone, Settings.Office, Settings.TimeZone, problems)]
            : configured.Select(section => Build(
                section["Code"] ?? "", section["Name"] is { Length: > 0 } n ? n : section["Code"] ?? "",
                section["TimeZone"] is { Length: > 0 } z ? z : defaultZone,
                $"{Settings.OfficesSection}:{section.Key}:Code", $"{Settings.OfficesSection}:{section.Key}:TimeZone", problems,
                DatabaseOf(section, configuration, problems))).ToList();

        foreach (var repeated in offices.GroupBy(o => o.Code).Where(g => g.Count() > 1))
            problems.Add($"the office code '{repeated.Key}' is configured more than once");
        if (problems.Count > 0) throw new InvalidOperationException("Invalid office configuration: " + string.Join("; ", problems));
        var fallbackZone = TimeZoneInfo.TryFindSystemTimeZoneById(defaultZone, out var found) ? found : TimeZoneInfo.Utc;
        return new Offices(offices, home, district, fallbackZone);
    }

    /// <summary>
    /// `Offices:&lt;i&gt;:Database` names a connection string; only the main one may be left unset (the embedded cluster).
    /// </summary>
    private static string DatabaseOf(IConfigurationSection office, IConfiguration configuration, List<string> problems)
    {
        var name = office["Database"] is { Length: > 0 } configured ? configured.Trim() : Office.MainDatabase;
        if (string.Equals(name, Office.MainDatabase, StringComparison.OrdinalIgnoreCase)) return Office.MainDatabase;
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(name)))
            problems.Add($"{Settings.OfficesSection}:{office.Key}:Database '{name}' names no connection string (set ConnectionStrings:{name})");
        return name;
    }

    private static Office Build(string code, string name, string zoneId, string codeKey, string zoneKey, List<string> problems,
        string database = Office.MainDatabase)
    {
        if (!IsValidCode(code)) problems.Add($"{codeKey} '{code}' is not an office code (lower case a-z, 0-9 and '-', 2 to 32 characters)");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
        {
            problems.Add($"{zoneKey} '{zoneId}' is not a known time zone id (e.g. Asia/Shanghai)");
            zone = TimeZoneInfo.Utc;
        }
        return new Office(code, name, zone, database);
    }
}

public static class OfficeHosting
{
    public static WebApplicationBuilder AddOffice(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(Offices.From(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<CurrentOffice>();
        builder.Services.AddSingleton<OfficeDatabases>();
        builder.Services.AddSingleton<ProjectionAgents>();
        // The office of the request an endpoint serves; message handlers name theirs from the message instead.
        builder.Services.AddScoped(sp => sp.GetRequiredService<CurrentOffice>().Value);
        return builder;
    }

    /// <summary>The registered instance, for the projections, which are configured before the container exists.</summary>
    public static Offices Of(WebApplicationBuilder builder) =>
        (Offices)builder.Services.Single(s => s.ServiceType == typeof(Offices)).ImplementationInstance!;
}
