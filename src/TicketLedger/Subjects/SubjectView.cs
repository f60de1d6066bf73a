using FluentValidation;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Http.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Subjects;

/// <summary>A subject as the ledger reader sees it: its registration and where it stands on service, resumption and funds.</summary>
public sealed class SubjectView
{
    public Guid Id { get; set; }
    public string Office { get; set; } = "";
    public SubjectKind Kind { get; set; }
    public string Name { get; set; } = "";
    public string? CreditCode { get; set; }
    public EnterpriseScale? Scale { get; set; }
    public KeyProjectLevel KeyProjectLevel { get; set; }
    public string? Address { get; set; }
    public Contact? Contact { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public string? GridStaff { get; set; }
    public int VisitCount { get; set; }
    public DateOnly? LastVisitedOn { get; set; }
    public bool Resumed { get; set; }
    public DateOnly? ResumedOn { get; set; }
    public int? Headcount { get; set; }
    public int? WorkersReturned { get; set; }
    public int? CapacityPercent { get; set; }
    public decimal FundsYuan { get; set; }
    public long Version { get; set; }
}

public sealed partial class SubjectViewProjection : SingleStreamProjection<SubjectView, Guid>
{
    public static SubjectView Create(SubjectRegistered e) => new()
    {
        Id = e.SubjectId,
        Office = e.Office,
        Kind = e.Kind,
        Name = e.Name,
        CreditCode = e.CreditCode,
        Scale = e.Scale,
        KeyProjectLevel = e.KeyProjectLevel,
        Address = e.Address,
        Contact = e.Contact,
        RegisteredAt = e.OccurredAt,
    };

    public static void Apply(GridStaffAssigned e, SubjectView view) => view.GridStaff = e.Staff;

    /// <summary>Paper records are back-filled out of order, so the last visit is the latest date, not the latest event.</summary>
    public static void Apply(SubjectVisited e, SubjectView view)
    {
        view.VisitCount++;
        if (view.LastVisitedOn is null || e.VisitedOn > view.LastVisitedOn) view.LastVisitedOn = e.VisitedOn;
    }

    public static void Apply(ResumptionReported e, SubjectView view)
    {
        view.Resumed = true;
        view.ResumedOn = e.ResumedOn;
        view.Headcount = e.Headcount;
        view.WorkersReturned = e.WorkersReturned;
        view.CapacityPercent = e.CapacityPercent;
    }

    public static void Apply(FundDisbursed e, SubjectView view) => view.FundsYuan += e.AmountYuan;
}

/// <summary>
/// The list's query string. Numbers are taken as text because Wolverine 6 binds an unparseable query value to its
/// default without a word; parsing here turns "?page=abc" into a 400 instead of page 1. A blank value ("?kind=") is
/// no filter, as a form with an empty field sends it.
/// </summary>
public sealed record ListSubjects(
    [FromQuery(Name = "kind")] string? Kind,
    [FromQuery(Name = "scale")] string? Scale,
    [FromQuery(Name = "creditCode")] string? CreditCode,
    [FromQuery(Name = "page")] string? Page,
    [FromQuery(Name = "pageSize")] string? PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 200;

    /// <summary>Keeps the row offset within an int; no office has a million pages of subjects.</summary>
    public const int MaxPage = 1_000_000;

    public int PageNumber => IsBlank(Page) ? 1 : int.Parse(Page!);
    public int PageLength => IsBlank(PageSize) ? DefaultPageSize : int.Parse(PageSize!);
    public SubjectKind? KindFilter => ParseName<SubjectKind>(Kind);
    public EnterpriseScale? ScaleFilter => ParseName<EnterpriseScale>(Scale);
    public string? CreditCodeFilter => IsBlank(CreditCode) ? null : SocialCreditCode.Normalize(CreditCode!);

    public sealed class Validator : AbstractValidator<ListSubjects>
    {
        public Validator()
        {
            RuleFor(x => x.Kind).Must(kind => IsBlank(kind) || ParseName<SubjectKind>(kind) is not null)
                .WithMessage("'Kind' is 'enterprise' or 'site'.");
            RuleFor(x => x.Scale).Must(scale => IsBlank(scale) || ParseName<EnterpriseScale>(scale) is not null)
                .WithMessage("'Scale' is 'above' or 'below'.");
            RuleFor(x => x.Page).Must(page => IsBlank(page) || int.TryParse(page, out var n) && n is >= 1 and <= MaxPage)
                .WithMessage($"'Page' is a whole number from 1 to {MaxPage}.");
            RuleFor(x => x.PageSize).Must(size => IsBlank(size) || int.TryParse(size, out var n) && n is >= 1 and <= MaxPageSize)
                .WithMessage($"'Page Size' is a whole number from 1 to {MaxPageSize}.");
        }
    }

    private static bool IsBlank(string? value) => string.IsNullOrWhiteSpace(value);

    /// <summary>By name only: Enum.TryParse would also take "7" or "above,below".</summary>
    private static TEnum? ParseName<TEnum>(string? value) where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Select(v => (TEnum?)v).FirstOrDefault(v => v.ToString()!.Equals(value?.Trim(), StringComparison.OrdinalIgnoreCase));
}

public sealed record SubjectPage(IReadOnlyList<SubjectView> Items, int Page, int PageSize, long Total);

public static class SubjectQueries
{
    [WolverineGet("/api/subjects/{id}", OperationId = "GetSubject", Summary = "A subject with its service, resumption and funds")]
    [Tags("subjects"), Authorize(Policy = Policies.Read)]
    public static SubjectView Get([Document(Required = true, OnMissing = OnMissing.ProblemDetailsWith404, MissingMessage = SubjectRules.UnknownSubject)] SubjectView subject) =>
        subject;

    [WolverineGet("/api/subjects", OperationId = "ListSubjects", Summary = "Subjects by kind and scale, by name, a page at a time")]
    [Tags("subjects"), Authorize(Policy = Policies.Read)]
    public static async Task<SubjectPage> List([FromQuery] ListSubjects query, IQuerySession session, CancellationToken cancellation)
    {
        IQueryable<SubjectView> subjects = session.Query<SubjectView>();
        if (query.KindFilter is { } kind) subjects = subjects.Where(s => s.Kind == kind);
        if (query.ScaleFilter is { } scale) subjects = subjects.Where(s => s.Scale == scale);
        if (query.CreditCodeFilter is { } code) subjects = subjects.Where(s => s.CreditCode == code);
        // Counted apart: a window count over the page's rows is 0 for a page past the end, not the number of matches.
        var total = await subjects.CountAsync(cancellation);
        var items = await subjects.OrderBy(s => s.Name).ThenBy(s => s.Id)
            .Skip((query.PageNumber - 1) * query.PageLength).Take(query.PageLength).ToListAsync(cancellation);
        return new SubjectPage(items, query.PageNumber, query.PageLength, total);
    }
}
