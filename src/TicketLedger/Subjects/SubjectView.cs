using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using TicketLedger.Hosting;

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
