using Marten;
using Marten.Events;
using TicketLedger.Hosting;

namespace TicketLedger.Seeding;

/// <summary>Loading seeds/ through the HTTP API of a running instance, so every seeded command takes the real command path.</summary>
public static class Seeder
{
    /// <summary>
    /// The seeding progress is a document registered up front, not on first use: start-up then migrates its table before
    /// an upgrade moves its rows into their office, and an interrupted seeding of a pre-office store still resumes.
    /// </summary>
    public static WebApplicationBuilder AddSeeding(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(store => store.Schema.For<SeedProgress>());
        return builder;
    }

    /// <summary>`serve --seed`: seeds an empty store, or finishes a seeding that was interrupted; never adds to real data.</summary>
    public static async Task SeedIfEmpty(WebApplication app, CancellationToken cancellation)
    {
        var home = HomeOffice(app);
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession(home);
        var hasEvents = await session.Events.QueryAllRawEvents().AnyAsync(cancellation);
        var wasSeeding = await session.Query<SeedProgress>().AnyAsync(cancellation);
        if (hasEvents && !wasSeeding)
        {
            Console.WriteLine($"The office '{home}' already holds data that did not come from seeds/; not seeding.");
            return;
        }
        await SeedRunningApp(app, cancellation);
    }

    public static async Task SeedRunningApp(WebApplication app, CancellationToken cancellation)
    {
        var directory = SeedData.FindDirectory(app.Configuration);
        var home = HomeOffice(app);
        Console.WriteLine($"Seeding office '{home}' from {directory} ...");
        // A key that exists only in this process's memory, so seeding passes the same authorization as any caller.
        var key = app.Services.GetRequiredService<ApiKeyRegistry>().IssueInternalKey("seed", Roles.Admin, home);
        using var api = new HttpClient { BaseAddress = LoopbackAddress(app), Timeout = TimeSpan.FromMinutes(2) };
        api.DefaultRequestHeaders.Add("X-Api-Key", key);
        var added = await new SeedRunner(api, app.Services.GetRequiredService<IDocumentStore>(), home, Console.Out).Run(SeedData.Load(directory), cancellation);
        Console.WriteLine(added == 0 ? "Seeds were already loaded; nothing added." : $"Seeded: {added} commands.");
    }

    /// <summary>The seeds are one office's ledger: `Ledger:Office`, which a district must list among its offices.</summary>
    private static string HomeOffice(WebApplication app)
    {
        var offices = app.Services.GetRequiredService<Offices>();
        return offices.Find(offices.Home)?.Code
               ?? throw new InvalidOperationException($"The seeds load into {Settings.Office} '{offices.Home}', which is not one of the configured offices.");
    }

    private static Uri LoopbackAddress(WebApplication app)
    {
        var address = app.Urls.FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                      ?? throw new InvalidOperationException("Seeding needs an http:// listening address.");
        var uri = new UriBuilder(address);
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*") uri.Host = "127.0.0.1";
        return uri.Uri;
    }
}
