using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

/// <summary>`ledger [--as-of yyyy-MM-dd] [--lang zh|en]`: prints the ledger report after catching up the projections.</summary>
public static class LedgerCommand
{
    public static async Task<int> Run(WebApplication app, string[] args)
    {
        var asOf = CommandLine.Option(args, "--as-of");
        var lang = CommandLine.Option(args, "--lang") ?? "zh";
        var query = new QueryValues();
        var point = LedgerPoint.From(query, asOf, null);
        ReportLanguage.From(query, lang);
        if (query.Invalid)
        {
            foreach (var (field, messages) in query.Errors) Console.Error.WriteLine($"--{field}: {string.Join(' ', messages)}");
            return 2;
        }

        var store = app.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.CatchUpAsync(TimeSpan.FromMinutes(5), CancellationToken.None);

        await using var scope = app.Services.CreateAsyncScope();
        var figures = await scope.ServiceProvider.GetRequiredService<LedgerQuery>().Read(point, CancellationToken.None);
        Console.WriteLine(LedgerReport.Write(figures, lang));
        return 0;
    }
}
