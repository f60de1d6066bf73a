using System.Globalization;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using MiniExcelLibs;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using TicketLedger.Subjects;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>
/// The problem ledger (问题台账) as the office keeps it in a spreadsheet: one row per ticket in number order, with
/// labels instead of codes and times on the office's clock. CSV carries a UTF-8 BOM so Excel shows the Chinese.
/// </summary>
public static class ExportTicketsEndpoint
{
    private static readonly string[] ChineseHeader = ["编号", "服务对象", "问题类别", "提出时间", "责任部门", "上报部门", "状态", "回复时间", "解决时间", "解决情况"];
    private static readonly string[] EnglishHeader = ["number", "subject", "category", "raised", "department", "bureau", "status", "responded", "resolved", "resolution"];

    public static ProblemDetails Validate(string? lang)
    {
        var query = new QueryValues();
        ReportLanguage.From(query, lang);
        return query.Problem();
    }

    [WolverineGet("/api/ledger/tickets.csv", OperationId = "ExportTicketsCsv", Summary = "The problem ledger as CSV (UTF-8 with BOM)")]
    [Tags("ledger")]
    [Authorize(Policy = Policies.Read)]
    [Produces("text/csv")]
    public static async Task<IResult> GetCsv(string? lang, IQuerySession session, Office office, ReferenceData reference, CancellationToken cancellation)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Header(lang).Select(Csv.Quote)).Append("\r\n");
        foreach (var row in await Rows(session, office, reference, lang, cancellation))
            text.AppendJoin(',', row.Select(Csv.Quote)).Append("\r\n");
        return Results.File(Csv.WithBom(text), "text/csv; charset=utf-8", $"tickets-{office.Code}.csv");
    }

    [WolverineGet("/api/ledger/tickets.xlsx", OperationId = "ExportTicketsXlsx", Summary = "The problem ledger as an Excel workbook")]
    [Tags("ledger")]
    [Authorize(Policy = Policies.Read)]
    [Produces("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    public static async Task<IResult> GetXlsx(string? lang, IQuerySession session, Office office, ReferenceData reference, CancellationToken cancellation)
    {
        var header = Header(lang);
        var rows = (await Rows(session, office, reference, lang, cancellation))
            .Select(row => header.Zip(row).ToDictionary(c => c.First, c => (object)c.Second))
            .ToList();
        var workbook = new MemoryStream();
        await workbook.SaveAsAsync(rows, sheetName: lang == ReportLanguage.English ? "tickets" : "问题台账", excelType: ExcelType.XLSX, cancellationToken: cancellation);
        return Results.File(workbook.ToArray(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"tickets-{office.Code}.xlsx");
    }

    private static string[] Header(string? lang) => lang == ReportLanguage.English ? EnglishHeader : ChineseHeader;

    private static async Task<List<string[]>> Rows(IQuerySession session, Office office, ReferenceData reference, string? lang, CancellationToken cancellation)
    {
        var tickets = await session.Query<Ticket>().Where(t => t.Office == office.Code).OrderBy(t => t.Number).ToListAsync(cancellation);
        var subjectIds = tickets.Select(t => t.SubjectId).Distinct().ToArray();
        var subjects = (await session.LoadManyAsync<SubjectView>(cancellation, subjectIds)).ToDictionary(s => s.Id, s => s.Name);
        var english = lang == ReportLanguage.English;

        string Label(IReadOnlyList<ReferenceItem> items, string? code) =>
            code is null ? "" : english ? code : items.FirstOrDefault(i => i.Code == code)?.Label ?? code;
        string Time(DateTimeOffset? at) => at is { } t ? office.ToLocal(t).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";

        return tickets.Select(t => new[]
        {
            t.Number, subjects.GetValueOrDefault(t.SubjectId, ""), Label(reference.Categories, t.Category), Time(t.RaisedAt),
            Label(reference.Departments, t.Department), Label(reference.Bureaus, t.Bureau), StatusLabel(t.Status, english),
            Time(t.RespondedAt), Time(t.ResolvedAt), t.Resolution ?? "",
        }).ToList();
    }

    private static string StatusLabel(TicketStatus status, bool english) => (status, english) switch
    {
        (_, true) => status.ToString().ToLowerInvariant(),
        (TicketStatus.Open, _) => "待分派",
        (TicketStatus.Assigned, _) => "办理中",
        (TicketStatus.Escalated, _) => "已上报",
        (TicketStatus.Resolved, _) => "已解决",
        _ => status.ToString(),
    };
}
