using FluentValidation;
using TicketLedger.Hosting;

namespace TicketLedger.Subjects;

/// <summary>Rules shared by the subject commands' validators.</summary>
public static class SubjectRules
{
    public const int MaxNameLength = 200;
    public const int MaxStaffLength = 50;
    public const int MaxNotesLength = 2000;
    public const string UnknownSubject = "No subject is registered with id {0}.";

    /// <summary>Business time may be back-filled but never ahead of the clock.</summary>
    public static IRuleBuilderOptions<T, DateTimeOffset?> NotInTheFuture<T>(this IRuleBuilder<T, DateTimeOffset?> rule, TimeProvider clock) =>
        rule.Must(at => at is null || at <= clock.GetUtcNow()).WithMessage("'{PropertyName}' may not lie in the future.");

    /// <summary>A calendar date is in the future when it is after today on the office's wall clock.</summary>
    public static IRuleBuilderOptions<T, DateOnly?> NotAfterToday<T>(this IRuleBuilder<T, DateOnly?> rule, TimeProvider clock, Office office) =>
        rule.Must(date => date is null || date <= office.LocalDate(clock.GetUtcNow()))
            .WithMessage("'{PropertyName}' may not be after today in the office's time zone.");

    public static IRuleBuilderOptions<T, string?> StaffName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().MaximumLength(MaxStaffLength);

    /// <summary>When the business time of a command, absent meaning "now".</summary>
    public static DateTimeOffset OccurredAt(DateTimeOffset? occurredAt, TimeProvider clock) => occurredAt ?? clock.GetUtcNow();
}
