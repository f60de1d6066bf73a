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

    [Description("The office's code (default: the only office; in a district, every office and the district's total)")]
    [FlagAlias("office")]
    public string? OfficeFlag { get; set; }
}

/// <summary>`ledger [--as-of yyyy-MM-dd] [--lang zh|en] [--office code]`: prints the ledger report after catching up the projections.</summary>
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
        var office = input.OfficeFlag is { } code ? offices.Find(code) : offices.Sole;
        if (input.OfficeFlag is not null && office is null)
        {
            Console.Error.WriteLine($"--office: '{input.OfficeFlag}' is not an office of this deployment ({string.Join(", ", offices.All.Select(o => o.Code))}).");
            return false;
        }
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.CatchUpAsync(TimeSpan.FromMinutes(5), CancellationToken.None);

        await using var scope = host.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerQuery>();
        Console.WriteLine(office is not null
            ? LedgerReport.Write(await ledger.Read(office, point, CancellationToken.None), lang)
            : DistrictReport.Write(DistrictLedger.From(offices.DistrictName, point, await ledger.Read(offices.All, point, CancellationToken.None)), lang));
        return true;
    }
}
