using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

/// <summary>A ticket as clients read it: its office, times on the office's clock with their offset, overdue judged at a moment.</summary>
public sealed record TicketResponse(
    Guid Id, string Office, string Number, Guid SubjectId, string Category, string Title, string Description, TicketSource Source,
    TicketStatus Status, string? Department, string? Bureau, DateTimeOffset RaisedAt, DateTimeOffset DueBy,
    DateTimeOffset? RespondedAt, DateTimeOffset? ResolvedAt, string? Resolution, bool Overdue, DateTimeOffset? DeadlineMissedAt,
    int ReopenCount, bool? Satisfied, long Version, DateTimeOffset RecordedAt, DateTimeOffset LastRecordedAt)
{
    public static TicketResponse From(Ticket v, Office office, DateTimeOffset at) => new(
        v.Id, office.Code, v.Number, v.SubjectId, v.Category, v.Title, v.Description, v.Source, v.Status, v.Department, v.Bureau,
        office.ToLocal(v.RaisedAt), office.ToLocal(v.DueBy), Local(office, v.RespondedAt), Local(office, v.ResolvedAt), v.Resolution,
        v.IsOverdueAt(at), Local(office, v.DeadlineMissedAt), v.ReopenCount, v.Satisfied, v.Version,
        office.ToLocal(v.RecordedAt), office.ToLocal(v.LastRecordedAt));

    private static DateTimeOffset? Local(Office office, DateTimeOffset? at) => at is { } value ? office.ToLocal(value) : null;
}
