using JasperFx.Events;
using Marten.Events.Aggregation;

namespace TicketLedger.Tickets;

/// <summary>
/// One ticket, kept inline with every append: what clients read and, like <c>Subject</c> for subjects, the model the
/// ticket commands decide on (fetched for
/// writing with its stream version in one round trip; a separate live-folded aggregate cost a round trip more per
/// command, benchmark 2026-11-29). <see cref="Advance"/> is the single fold used by the projection and by time travel,
/// which replays a filtered slice of the stream through it.
/// </summary>
public sealed class Ticket
{
    public Guid Id { get; set; }
    public string Office { get; set; } = "";
    public string Number { get; set; } = "";
    public Guid SubjectId { get; set; }
    public string Category { get; set; } = "";
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public TicketSource Source { get; set; }
    public TicketStatus Status { get; set; }
    public string? Department { get; set; }
    public string? Bureau { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public DateTimeOffset DueBy { get; set; }
    public DateTimeOffset? RespondedAt { get; set; }
    /// <summary>Stored so a list can filter overdue tickets without comparing two columns.</summary>
    public bool RespondedLate { get; set; }
    public DateTimeOffset? DeadlineMissedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? Resolution { get; set; }
    public int ReopenCount { get; set; }
    public bool? Satisfied { get; set; }
    public long Version { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset LastRecordedAt { get; set; }

    /// <summary>Every member is a value or a string, so a shallow copy folds on without touching the original.</summary>
    public Ticket Copy() => (Ticket)MemberwiseClone();

    public bool IsOverdueAt(DateTimeOffset at) => SameDayRule.IsOverdue(DueBy, RespondedAt, at);

    /// <summary>PostgreSQL keeps microseconds: the view written at append time must equal the one a rebuild writes.</summary>
    private static DateTimeOffset AsStored(DateTimeOffset timestamp) => timestamp.AddTicks(-(timestamp.Ticks % 10));

    public static Ticket? Advance(Ticket? view, IEvent e)
    {
        if (e.Data is TicketRaised raised)
            view = new Ticket
            {
                Id = raised.TicketId, Office = raised.Office, Number = raised.Number, SubjectId = raised.SubjectId,
                Category = raised.Category, Title = raised.Title, Description = raised.Description, Source = raised.Source,
                // UTC because RaisedAt is an indexed timestamptz column, which Npgsql writes only from offset 0.
                Status = TicketStatus.Open, RaisedAt = raised.OccurredAt.ToUniversalTime(), DueBy = raised.DueBy.ToUniversalTime(),
                RecordedAt = AsStored(e.Timestamp),
            };
        if (view is null) return null;

        switch (e.Data)
        {
            case TicketAssigned assigned:
                view.Status = TicketStatus.Assigned;
                view.Department = assigned.Department;
                break;
            case TicketResponded responded:
                view.Responded(responded.OccurredAt);
                break;
            case TicketEscalated escalated:
                view.Status = TicketStatus.Escalated;
                view.Bureau = escalated.Bureau;
                break;
            case TicketResolved resolved:
                view.Status = TicketStatus.Resolved;
                view.ResolvedAt = resolved.OccurredAt;
                view.Resolution = resolved.Resolution;
                view.Responded(resolved.OccurredAt);
                break;
            case TicketReopened:
                view.Status = view.Department is null ? TicketStatus.Open : TicketStatus.Assigned;
                view.ResolvedAt = null;
                view.Resolution = null;
                view.ReopenCount++;
                break;
            case ResponseDeadlineMissed missed:
                view.DeadlineMissedAt ??= missed.OccurredAt;
                break;
            case ReturnVisitRecorded visit:
                view.Satisfied = visit.Satisfied;
                break;
        }
        view.Version = e.Version;
        view.LastRecordedAt = AsStored(e.Timestamp);
        return view;
    }

    /// <summary>The first answer counts for the same-day rule; later answers change nothing about it.</summary>
    private void Responded(DateTimeOffset at)
    {
        if (RespondedAt is not null) return;
        RespondedAt = at;
        RespondedLate = SameDayRule.IsOverdue(DueBy, at, at);
    }

    public static Ticket? Fold(IEnumerable<IEvent> events) => events.Aggregate((Ticket?)null, Advance);
}

public sealed partial class TicketProjection : SingleStreamProjection<Ticket, Guid>
{
    /// <summary>An Evolve over IEvent names no event types, so without this a rebuild would read every subject event too.</summary>
    public TicketProjection()
    {
        foreach (var type in TicketEvents.All) IncludeType(type);
    }

    public override Ticket? Evolve(Ticket? snapshot, Guid id, IEvent e) => Ticket.Advance(snapshot, e);
}
