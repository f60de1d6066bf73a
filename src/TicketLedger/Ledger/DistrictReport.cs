using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Ledger;

/// <summary>The district's ledger as leadership reads it: each office's paragraph under its name, then the district's total.</summary>
public static class DistrictReport
{
    public static string Write(DistrictLedger district, string lang)
    {
        var english = lang == ReportLanguage.English;
        var offices = district.Offices.Select(o => (english ? $"{o.Name}: " : $"{o.Name}：") + LedgerReport.Write(o, lang));
        var total = (english ? $"{district.District}, all {district.Offices.Count} offices: " : $"{district.District}{district.Offices.Count}个办事处合计：")
                    + LedgerReport.Write(district.Total, lang);
        return string.Join("\n\n", offices.Append(total));
    }
}

public static class GetDistrictReportEndpoint
{
    public static ProblemDetails Validate(string? asOf, string? knownAt, string? lang, ClaimsPrincipal user, Offices offices)
    {
        var refused = DistrictAccess.Problem(user, offices);
        if (!ReferenceEquals(refused, WolverineContinue.NoProblems)) return refused;
        var query = new QueryValues();
        LedgerPoint.From(query, asOf, knownAt);
        ReportLanguage.From(query, lang);
        return query.Problem();
    }

    [NotTenanted]
    [WolverineGet("/api/district/report", OperationId = "GetDistrictReport", Summary = "The district's ledger as report paragraphs, one per office and the total (lang=zh|en)")]
    [Tags("district")]
    [Authorize(Policy = Policies.Read)]
    [Produces("text/plain")]
    public static async Task<IResult> Get(
        string? asOf, string? knownAt, string? lang, LedgerQuery ledger, Offices offices, ClaimsPrincipal user, HttpResponse response,
        CancellationToken cancellation)
    {
        var query = new QueryValues();
        var district = await DistrictLedger.Read(ledger, offices, user, LedgerPoint.From(query, asOf, knownAt), cancellation);
        var provenance = district.Total.Provenance;
        response.Headers["X-Ledger-Sequence"] = provenance.LastSequence.ToString(CultureInfo.InvariantCulture);
        if (provenance.ChainHash is { } hash) response.Headers["X-Chain-Head"] = $"{provenance.ChainSequence}:{hash}";
        return Results.Text(DistrictReport.Write(district, ReportLanguage.From(query, lang)), "text/plain; charset=utf-8");
    }
}
