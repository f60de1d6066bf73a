using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Ledger;

/// <summary>The ledger as the paragraph leadership reads: Chinese in the office's own register, or English.</summary>
public static class LedgerReport
{
    public static string Write(ILedgerFigures f, string lang) => lang == ReportLanguage.English ? English(f) : Chinese(f);

    private static string Chinese(ILedgerFigures f)
    {
        var t = f.Tickets;
        var r = f.Resumption;
        var text = new StringBuilder();
        text.Append($"截至{f.AsOf.Year}年{f.AsOf.Month}月{f.AsOf.Day}日，累计走访企业{f.Visits.EnterprisesVisited}家、建筑工地{f.Visits.SitesVisited}个，");
        text.Append($"收集问题{t.Raised}个，已解决问题{t.Resolved}个，{t.Pending}个问题正在全力解决中");
        if (t.ResponseRate is { } response) text.Append($"，当日回复率{Percent(response)}");
        if (t.Overdue > 0) text.Append($"，{t.Overdue}个问题未在当日答复");
        text.Append("。");
        text.Append($"规上企业复工{r.AboveScaleResumed}家（共{r.AboveScaleTotal}家），复工率{Percent(r.AboveScaleRate ?? 0)}；");
        text.Append($"规下企业复工{r.BelowScaleResumed}家；省市区重点项目复工{r.KeyProjectsResumed}个；");
        text.Append($"返岗人员{r.WorkersReturned}人，复工企业返岗率{Percent(r.ReturnRate ?? 0)}。");
        if (r.FirstResumed is { } first)
            text.Append($"首家复工企业为{first.Name}（{first.ResumedOn.Year}年{first.ResumedOn.Month}月{first.ResumedOn.Day}日）。");
        if (f.Funds.DisbursedYuan > 0)
        {
            var batches = string.Join("、", f.Funds.ByBatch.Select(b => $"第{b.Key}批{WanYuan(b.Value)}"));
            text.Append($"已向企业拨付专项资金{WanYuan(f.Funds.DisbursedYuan)}（{batches}）。");
        }
        return text.ToString();
    }

    private static string English(ILedgerFigures f)
    {
        var t = f.Tickets;
        var r = f.Resumption;
        var text = new StringBuilder();
        text.Append($"As of {f.AsOf.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}, staff have visited {f.Visits.EnterprisesVisited} enterprises and {f.Visits.SitesVisited} construction sites ");
        text.Append($"and collected {t.Raised} problems: {t.Resolved} resolved, {t.Pending} still being worked on");
        if (t.ResponseRate is { } response) text.Append($"; {Percent(response)} answered the same day");
        if (t.Overdue > 0) text.Append($"; {t.Overdue} not answered on the day they were raised");
        text.Append(". ");
        text.Append($"{r.AboveScaleResumed} of {r.AboveScaleTotal} above-scale enterprises have resumed ({Percent(r.AboveScaleRate ?? 0)}), ");
        text.Append($"{r.BelowScaleResumed} below-scale enterprises and {r.KeyProjectsResumed} provincial, city and district key projects; ");
        text.Append($"{r.WorkersReturned.ToString("N0", CultureInfo.InvariantCulture)} workers are back, a return rate of {Percent(r.ReturnRate ?? 0)} at resumed enterprises.");
        if (r.FirstResumed is { } first)
            text.Append($" The first enterprise to resume was {first.Name}, on {first.ResumedOn.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.");
        if (f.Funds.DisbursedYuan > 0)
            text.Append($" Special funds disbursed to enterprises: {f.Funds.DisbursedYuan.ToString("N0", CultureInfo.InvariantCulture)} yuan.");
        return text.ToString();
    }

    private static string Percent(decimal rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string WanYuan(decimal yuan) => (yuan / 10_000m).ToString("0.##", CultureInfo.InvariantCulture) + "万元";
}

public static class GetLedgerReportEndpoint
{
    public static ProblemDetails Validate(string? asOf, string? knownAt, string? lang)
    {
        var query = new QueryValues();
        LedgerPoint.From(query, asOf, knownAt);
        ReportLanguage.From(query, lang);
        return query.Problem();
    }

    [WolverineGet("/api/ledger/report", OperationId = "GetLedgerReport", Summary = "The ledger as a report paragraph (lang=zh|en)")]
    [Tags("ledger")]
    [Authorize(Policy = Policies.Read)]
    [Produces("text/plain")]
    public static async Task<IResult> Get(
        string? asOf, string? knownAt, string? lang, LedgerQuery ledger, Office office, HttpResponse response, CancellationToken cancellation)
    {
        var query = new QueryValues();
        var figures = await ledger.Read(office, LedgerPoint.From(query, asOf, knownAt), cancellation);
        // The paragraph is for people; its provenance travels in headers for the systems that file it.
        response.Headers["X-Ledger-Sequence"] = figures.Provenance.LastSequence.ToString(CultureInfo.InvariantCulture);
        if (figures.Provenance.ChainHash is { } hash) response.Headers["X-Chain-Head"] = $"{figures.Provenance.ChainSequence}:{hash}";
        return Results.Text(LedgerReport.Write(figures, ReportLanguage.From(query, lang)), "text/plain; charset=utf-8");
    }
}
