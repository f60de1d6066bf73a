namespace TicketLedger.Subjects;

public enum SubjectKind { Enterprise, Site }

public enum EnterpriseScale { Above, Below }

public enum KeyProjectLevel { None, Province, City, District }

public sealed record Contact(string Name, string Phone);

public sealed record SubjectRegistered(
    Guid SubjectId,
    string Office,
    SubjectKind Kind,
    string Name,
    string? CreditCode,
    EnterpriseScale? Scale,
    KeyProjectLevel KeyProjectLevel,
    string? Address,
    Contact? Contact,
    DateTimeOffset OccurredAt) : IBusinessEvent;

public sealed record GridStaffAssigned(Guid SubjectId, string Staff, DateTimeOffset OccurredAt) : IBusinessEvent;

public sealed record SubjectVisited(Guid SubjectId, DateOnly VisitedOn, string Staff, string? Notes, DateTimeOffset OccurredAt) : IBusinessEvent;

public sealed record ResumptionReported(
    Guid SubjectId, DateOnly ResumedOn, int Headcount, int WorkersReturned, int CapacityPercent, DateTimeOffset OccurredAt) : IBusinessEvent;

public sealed record FundDisbursed(Guid SubjectId, string Batch, decimal AmountYuan, DateOnly DisbursedOn, DateTimeOffset OccurredAt) : IBusinessEvent;

/// <summary>Registered with Marten up front, so start-up creates the event store (and the audit chain on it) before the first append.</summary>
public static class SubjectEvents
{
    public static readonly Type[] All = [typeof(SubjectRegistered), typeof(GridStaffAssigned), typeof(SubjectVisited), typeof(ResumptionReported), typeof(FundDisbursed)];
}
