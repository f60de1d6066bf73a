namespace TicketLedger;

/// <summary>
/// Every event of the domain carries the business time of what it records (back-filled paper records and the
/// seeds lie in the past), beside the time Marten recorded it. Time travel by `asOf` reads this one.
/// </summary>
public interface IBusinessEvent
{
    DateTimeOffset OccurredAt { get; }
}
