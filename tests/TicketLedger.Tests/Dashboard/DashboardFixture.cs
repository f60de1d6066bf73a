using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace TicketLedger.Tests.Dashboard;

/// <summary>
/// The seeded service as a real process on a loopback port (a browser needs a socket, which the in-memory test server
/// lacks) and Debian's Chromium driven by Playwright. The database is dropped first, so every run starts from the seeds.
/// </summary>
public class DashboardFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private ServiceProcess? _service;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public Uri Address => _service!.Address;

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    protected virtual string Database => "tl_dashboard";

    /// <summary>Settings for the seed command and the service alike, as environment variables.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        if (ChromiumFactAttribute.SkipReason is not null) return;
        var connectionString = FreshDatabase(Database);
        await ServiceProcess.RunToEnd(connectionString, Settings, StartTimeout, "seed");
        _service = ServiceProcess.Start(connectionString, Settings);
        using (var api = await _service.ReadyAsync(StartTimeout, Keys.Auditor)) await WarmUp(api);

        // A shared two-core machine answers slower than a desk: Playwright's waits get room, its checks stay the same.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumFactAttribute.ExecutablePath, Headless = true });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        _service?.Dispose();
    }

    /// <summary>
    /// Development compiles each endpoint's handler on its first call, seconds each on a busy machine: the first call of
    /// every route the page reads is made here, so that the tests' waits measure the page, not the compiler.
    /// </summary>
    protected virtual async Task WarmUp(HttpClient api)
    {
        var tickets = await api.GetFromJsonAsync<JsonNode>("/api/tickets?pageSize=1");
        var id = tickets!["items"]![0]!["id"]!.GetValue<Guid>();
        string[] routes =
        [
            "/api/ledger", "/api/ledger/trend", "/api/ledger/report?lang=zh", "/api/reference", "/api/audit/verify",
            $"/api/tickets/{id}", $"/api/tickets/{id}?version=1", $"/api/tickets/{id}/history", "/dashboard",
        ];
        foreach (var route in routes) (await api.GetAsync(route)).EnsureSuccessStatusCode();
    }

    /// <summary>A tab of its own (its own sessionStorage, so its own sign-in), at desk size unless told otherwise.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = "zh-CN",
        });
        return await context.NewPageAsync();
    }

    public HttpClient Api(string key, string? office = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        if (office is not null) client.DefaultRequestHeaders.Add("X-Office", office);
        return client;
    }

    public async Task<JsonNode> GetJson(string url, string key = Keys.Auditor, string? office = null)
    {
        using var api = Api(key, office);
        return (await api.GetFromJsonAsync<JsonNode>(url))!;
    }

    public static Task Screenshot(IPage page, string name, bool fullPage = true) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = fullPage });

    private static string FreshDatabase(string database)
    {
        var connectionString = TestDatabase.ConnectionStringFor(database);
        var server = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" };
        using (var connection = new Npgsql.NpgsqlConnection(server.ConnectionString))
        {
            connection.Open();
            using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
        return TestDatabase.ConnectionStringFor(database);
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}

/// <summary>A browser test: skipped, saying why, where no Chromium is installed (.ci/services installs Debian's).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Variable = "TICKETLEDGER_TEST_CHROMIUM";

    public static string ExecutablePath => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static string? SkipReason => File.Exists(ExecutablePath)
        ? null
        : $"No Chromium at {ExecutablePath} (set {Variable}, or let .ci/services install Debian's chromium package).";

    public ChromiumFactAttribute()
    {
        if (SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>What the page must show for a ledger figure: digits with thousands separators, rates as percentages.</summary>
public static class FigureText
{
    public static string For(string path, JsonNode? value)
    {
        if (value is null) return "—";
        var number = value.GetValue<decimal>();
        return path.EndsWith("Rate", StringComparison.Ordinal)
            ? (number * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%"
            : number.ToString("#,0.##", CultureInfo.InvariantCulture);
    }

    public static JsonNode? At(JsonNode ledger, string path) =>
        path.Split('.').Aggregate((JsonNode?)ledger, (node, name) => node?[name]);
}
