using JasperFx.CommandLine;
using Marten;
using Marten.Events;
using TicketLedger.Hosting;
using TicketLedger.Ledger;

namespace TicketLedger.Seeding;

/// <summary>`seed` loads seeds/ through the HTTP API of a private, loopback-only instance, then prints the ledger report.</summary>
[Description("Load seeds/ through the command path (running it twice adds nothing) and print the ledger report")]
public sealed class SeedCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        var app = (WebApplication)input.BuildHost();
        app.Urls.Clear();
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            await Seeder.SeedRunningApp(app, app.Lifetime.ApplicationStopping);
            await app.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(5));
            await using var scope = app.Services.CreateAsyncScope();
            var offices = app.Services.GetRequiredService<Offices>();
            var figures = await scope.ServiceProvider.GetRequiredService<LedgerQuery>().Read(offices.Get(offices.Home), new LedgerPoint(null, null), CancellationToken.None);
            Console.WriteLine(LedgerReport.Write(figures, ReportLanguage.Chinese));
            return true;
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
