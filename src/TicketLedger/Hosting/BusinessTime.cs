using System.Globalization;
using FluentValidation;

namespace TicketLedger.Hosting;

/// <summary>
/// Business time is when what a command records happened, as opposed to when it was recorded (docs/ticket-lifecycle.md).
/// It may be back-filled from paper records, but never lies ahead of the clock, nor before
/// `Validation:EarliestBusinessDate` (2000-01-01): a date such as 0001-01-01 is a typing error, and PostgreSQL would
/// store it as -infinity.
/// </summary>
public sealed class BusinessTime(TimeProvider clock, CurrentOffice office, DateOnly earliest)
{
    public static readonly DateOnly DefaultEarliest = new(2000, 1, 1);

    public DateOnly Earliest { get; } = earliest;

    /// <summary>The business instant of a command: the one it names, or now; in UTC, as every stored time.</summary>
    public static DateTimeOffset Of(DateTimeOffset? occurredAt, DateTimeOffset now) => (occurredAt ?? now).ToUniversalTime();

    public bool IsNotInTheFuture(DateTimeOffset? at) => at is null || at <= clock.GetUtcNow();

    public bool IsNotInTheFuture(DateOnly? date) => date is null || date <= office.Value.LocalDate(clock.GetUtcNow());

    public bool IsNotTooEarly(DateTimeOffset? at) => at is null || office.Value.LocalDate(at.Value) >= Earliest;

    public bool IsNotTooEarly(DateOnly? date) => date is null || date >= Earliest;

    public string TooEarly => $"must not lie before {Earliest.ToString(QueryValues.DateFormat, CultureInfo.InvariantCulture)}";

    public const string InTheFuture = "must not lie in the future";
    public const string AfterToday = "must not be after today in the office's time zone";
}

/// <summary>The one business-time rule of every command's validator.</summary>
public static class BusinessTimeRules
{
    public static IRuleBuilderOptions<T, DateTimeOffset?> BusinessTime<T>(this IRuleBuilder<T, DateTimeOffset?> rule, BusinessTime time) =>
        rule.Must(time.IsNotInTheFuture).WithMessage(Hosting.BusinessTime.InTheFuture)
            .Must(time.IsNotTooEarly).WithMessage(time.TooEarly);

    /// <summary>A calendar date (a visit, a resumption) judged on the office's wall clock.</summary>
    public static IRuleBuilderOptions<T, DateOnly?> BusinessDate<T>(this IRuleBuilder<T, DateOnly?> rule, BusinessTime time) =>
        rule.NotNull().Must(time.IsNotInTheFuture).WithMessage(Hosting.BusinessTime.AfterToday)
            .Must(time.IsNotTooEarly).WithMessage(time.TooEarly);
}

public static class BusinessTimeHosting
{
    public static WebApplicationBuilder AddBusinessTime(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration[Settings.EarliestBusinessDate];
        var earliest = BusinessTime.DefaultEarliest;
        if (!string.IsNullOrWhiteSpace(configured)
            && !DateOnly.TryParseExact(configured, QueryValues.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out earliest))
            throw new InvalidOperationException($"{Settings.EarliestBusinessDate} '{configured}' is not a date (yyyy-MM-dd).");
        builder.Services.AddSingleton(sp => new BusinessTime(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CurrentOffice>(), earliest));
        return builder;
    }
}
