namespace TicketLedger.Hosting;

/// <summary>
/// The office this deployment serves (`Ledger:Office`) and its time zone (`Ledger:TimeZone`): "the same day" and
/// "as of a date" are judged on the office's wall clock, while every stored time stays in UTC.
/// </summary>
public sealed class Office
{
    public Office(IConfiguration configuration)
    {
        Code = configuration[Settings.Office] is { Length: > 0 } code ? code : "yinhe";
        var zoneId = configuration[Settings.TimeZone] is { Length: > 0 } zone ? zone : "Asia/Shanghai";
        TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found)
            ? found
            : throw new InvalidOperationException($"{Settings.TimeZone} '{zoneId}' is not a known time zone id (e.g. Asia/Shanghai).");
    }

    public string Code { get; }
    public TimeZoneInfo TimeZone { get; }

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
}

public static class OfficeHosting
{
    public static WebApplicationBuilder AddOffice(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(new Office(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The registered instance, for the projections, which are configured before the container exists.</summary>
    public static Office Of(WebApplicationBuilder builder) =>
        (Office)builder.Services.Single(s => s.ServiceType == typeof(Office)).ImplementationInstance!;
}
