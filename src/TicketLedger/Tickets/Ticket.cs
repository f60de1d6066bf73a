namespace TicketLedger.Tickets;

/// <summary>
/// The write model: only what the lifecycle decisions read. Built live from the stream for every command, so it
/// costs no document writes; the read side is <see cref="TicketView"/>.
/// </summary>
public sealed class Ticket
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public TicketStatus Status { get; set; }
    /// <summary>Whether a bureau handed the problem over (it then hears of the resolution).</summary>
    public TicketSource Source { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public DateTimeOffset DueBy { get; set; }
    public DateTimeOffset? RespondedAt { get; set; }
    public string? Department { get; set; }
    public string? Bureau { get; set; }
    public bool DeadlineMissed { get; set; }

    public static Ticket Create(TicketRaised e) =>
        new() { Id = e.TicketId, Status = TicketStatus.Open, Source = e.Source, RaisedAt = e.OccurredAt, DueBy = e.DueBy };

    public void Apply(TicketAssigned e)
    {
        Status = TicketStatus.Assigned;
        Department = e.Department;
    }

    public void Apply(TicketResponded e) => RespondedAt ??= e.OccurredAt;

    public void Apply(TicketEscalated e)
    {
        Status = TicketStatus.Escalated;
        Bureau = e.Bureau;
    }

    /// <summary>A resolution answers the enterprise too, so it counts as the same-day reply when none came before.</summary>
    public void Apply(TicketResolved e)
    {
        Status = TicketStatus.Resolved;
        RespondedAt ??= e.OccurredAt;
    }

    /// <summary>Back to the department that had it; a ticket that went straight to a bureau has none and is open again.</summary>
    public void Apply(TicketReopened e) => Status = Department is null ? TicketStatus.Open : TicketStatus.Assigned;

    public void Apply(ResponseDeadlineMissed e) => DeadlineMissed = true;

    /// <summary>Was the enterprise answered by the end of the day the problem was raised?</summary>
    public bool RespondedInTime => RespondedAt is { } at && at <= DueBy;
}
