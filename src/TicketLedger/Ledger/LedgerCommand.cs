using JasperFx.CommandLine;
using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

public sealed class LedgerInput : NetCoreInput
{
    [Description("The business date to report as of, yyyy-MM-dd (default: today on the office's calendar)")]
    [FlagAlias("as-of")]
    public string? AsOfFlag { get; set; }

    [Description("zh (default) or en")]
    [FlagAlias("lang")]
    public string? LangFlag { get; set; }

    [Description("The office to report on (default: Ledger:Office)")]
    [FlagAlias("office")]
    public string? OfficeFlag { get; set; }
}

/// <summary>`ledger [--as-of yyyy-MM-dd] [--lang zh|en] [--office code]`: prints an office's ledger report after catching up the projections.</summary>
[Description("Print the ledger report after catching up the projections")]
public sealed class LedgerCommand : JasperFxAsyncCommand<LedgerInput>
{
    public override async Task<bool> Execute(LedgerInput input)
    {
        var query = new QueryValues();
        var point = LedgerPoint.From(query, input.AsOfFlag, null);
        var lang = ReportLanguage.From(query, input.LangFlag);
        if (query.Invalid)
        {
            foreach (var (field, messages) in query.Errors)
                Console.Error.WriteLine($"--{(field == "asOf" ? "as-of" : field)}: {string.Join(' ', messages)}");
            return false;
        }

        using var host = input.BuildHost();
        var offices = host.Services.GetRequiredService<Offices>();
        if (offices.Find(input.OfficeFlag ?? offices.Home) is not { } office)
        {
            Console.Error.WriteLine($"--office: '{input.OfficeFlag ?? offices.Home}' is not an office of this deployment ({string.Join(", ", offices.All.Select(o => o.Code))}).");
            return false;
        }
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var database = await host.Services.GetRequiredService<OfficeDatabases>().DatabaseAsync(office.Database);
        await ConjoinedStreamKeys.ApplyAsync(database.CreateConnection(), CancellationToken.None);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // The office's database has its own daemon: the ledger there is caught up from its own events.
        using (var daemon = await store.BuildProjectionDaemonAsync(office.Code))
            await daemon.CatchUpAsync(TimeSpan.FromMinutes(5), CancellationToken.None);

        await using var scope = host.Services.CreateAsyncScope();
        var figures = await scope.ServiceProvider.GetRequiredService<LedgerQuery>().Read(office, point, CancellationToken.None);
        Console.WriteLine(LedgerReport.Write(figures, lang));
        return true;
    }
}
