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

    public static IRuleBuilderOptions<T, string?> StaffName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().MaximumLength(MaxStaffLength);
}
