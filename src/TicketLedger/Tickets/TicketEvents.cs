namespace TicketLedger.Tickets;

public enum TicketSource { Visit, Hotline, SelfReport, BureauReferral, Platform }

public enum TicketStatus { Open, Assigned, Escalated, Resolved }

/// <summary>Every event of a ticket stream: the ticket view folds exactly these, and a rebuild reads no others.</summary>
public interface ITicketEvent : IBusinessEvent
{
    Guid TicketId { get; }
}

/// <summary>OccurredAt is the raised-at business time; DueBy the end of that local day in the office's time zone.</summary>
public sealed record TicketRaised(
    Guid TicketId,
    string Office,
    string Number,
    Guid SubjectId,
    string Category,
    string Title,
    string Description,
    TicketSource Source,
    DateTimeOffset OccurredAt,
    DateTimeOffset DueBy) : ITicketEvent;

public sealed record TicketAssigned(Guid TicketId, string Department, DateTimeOffset OccurredAt) : ITicketEvent;

public sealed record TicketResponded(Guid TicketId, string Message, DateTimeOffset OccurredAt) : ITicketEvent;

public sealed record TicketEscalated(Guid TicketId, string Bureau, string Reason, DateTimeOffset OccurredAt) : ITicketEvent;

/// <summary>MessageId is the broker message that carried the reply, when it came over the broker.</summary>
public sealed record BureauReplied(Guid TicketId, string Bureau, string Message, string? MessageId, DateTimeOffset OccurredAt) : ITicketEvent;

public sealed record TicketResolved(Guid TicketId, string Resolution, DateTimeOffset OccurredAt) : ITicketEvent;

public sealed record TicketReopened(Guid TicketId, string Reason, DateTimeOffset OccurredAt) : ITicketEvent;

/// <summary>Appended by the same-day timer; OccurredAt is the deadline that passed.</summary>
public sealed record ResponseDeadlineMissed(Guid TicketId, DateTimeOffset OccurredAt) : ITicketEvent;

public sealed record ReturnVisitRecorded(Guid TicketId, bool ResolvedConfirmed, bool Satisfied, string? Notes, DateTimeOffset OccurredAt) : ITicketEvent;

/// <summary>Registered with Marten up front, so start-up creates the event store (and the audit chain on it) before the first append.</summary>
public static class TicketEvents
{
    public static readonly Type[] All =
    [
        typeof(TicketRaised), typeof(TicketAssigned), typeof(TicketResponded), typeof(TicketEscalated), typeof(BureauReplied),
        typeof(TicketResolved), typeof(TicketReopened), typeof(ResponseDeadlineMissed), typeof(ReturnVisitRecorded),
    ];
}
