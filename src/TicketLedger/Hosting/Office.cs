namespace TicketLedger.Hosting;

/// <summary>
/// One office of the deployment: its code (the Marten tenant id of everything it records), its display name and its
/// time zone. "The same day" and "as of a date" are judged on the office's wall clock, while every stored time stays
/// in UTC. Its database is the name of the connection string holding its records (docs/nodes.md).
/// </summary>
public sealed class Office(string code, string name, TimeZoneInfo timeZone, string database = Office.MainDatabase)
{
    /// <summary>`ConnectionStrings:Marten`, or the embedded cluster when that is unset.</summary>
    public const string MainDatabase = "Marten";

    public string Code { get; } = code;
    public string Name { get; } = name;
    public TimeZoneInfo TimeZone { get; } = timeZone;
    public string Database { get; } = database;

    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);

    /// <summary>The first instant of the next local day: what happened before it happened "on or before" the date.</summary>
    public DateTimeOffset EndOfLocalDay(DateOnly date) => StartOfLocalDay(date.AddDays(1));

    public DateTimeOffset EndOfLocalDay(DateTimeOffset instant) => EndOfLocalDay(LocalDate(instant));

    public DateTimeOffset StartOfLocalDay(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>An instant shown on the office's clock, with its offset (+08:00 for Asia/Shanghai).</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, TimeZone);

    public override string ToString() => Code;
}
