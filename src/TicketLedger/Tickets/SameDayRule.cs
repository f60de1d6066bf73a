namespace TicketLedger.Tickets;

/// <summary>
/// 问题不过夜: every problem gets its first answer (a reply or the resolution) by the end of the office's day on which it
/// was raised (docs/ticket-lifecycle.md). The ticket, the ticket list and the ledger all judge "overdue" here.
/// </summary>
public static class SameDayRule
{
    /// <summary>
    /// Overdue at <paramref name="at"/>: the first answer, if it had come by then, came after the due time; without
    /// one, the due time has passed. A late answer keeps the ticket overdue: the promise was broken.
    /// </summary>
    public static bool IsOverdue(DateTimeOffset dueBy, DateTimeOffset? firstAnswerAt, DateTimeOffset at) =>
        firstAnswerAt is { } answered && answered <= at ? answered > dueBy : at > dueBy;
}
