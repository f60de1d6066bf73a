using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Subjects;

public sealed record RegisterSubject(
    SubjectKind? Kind,
    string? Name,
    string? CreditCode,
    EnterpriseScale? Scale,
    KeyProjectLevel? KeyProjectLevel,
    string? Address,
    Contact? Contact,
    DateTimeOffset? OccurredAt)
{
    public const int MaxAddressLength = 500;
    public const int MaxContactNameLength = 50;

    public sealed class Validator : AbstractValidator<RegisterSubject>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.Kind).NotNull().IsInEnum();
            RuleFor(x => x.Name).NotEmpty().MaximumLength(SubjectRules.MaxNameLength);
            RuleFor(x => x.Address).MaximumLength(MaxAddressLength);
            RuleFor(x => x.KeyProjectLevel).IsInEnum();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
            When(x => x.Contact is not null, () =>
            {
                RuleFor(x => x.Contact!.Name).NotEmpty().MaximumLength(MaxContactNameLength);
                // Mobile, landline with area code and extension, or international: digits and the usual separators.
                RuleFor(x => x.Contact!.Phone).NotEmpty().Matches(@"^\+?[0-9][0-9 ()\-]{4,19}$")
                    .WithMessage("'Phone' must be a phone number: 5 to 20 digits, spaces, '-', '(', ')', optionally starting with '+'.");
            });
            When(x => x.Kind == SubjectKind.Enterprise, () =>
            {
                RuleFor(x => x.CreditCode).NotEmpty()
                    .Must(code => SocialCreditCode.IsValid(SocialCreditCode.Normalize(code!)))
                    .WithMessage("'Credit Code' is not a valid unified social credit code (GB 32100-2015: 18 characters with a correct check character).")
                    .When(x => !string.IsNullOrWhiteSpace(x.CreditCode), ApplyConditionTo.CurrentValidator);
                RuleFor(x => x.Scale).NotNull().WithMessage("An enterprise is either above or below scale.");
                RuleFor(x => x.KeyProjectLevel).Must(level => level is null or Subjects.KeyProjectLevel.None)
                    .WithMessage("Only construction sites have a key-project level.");
            });
            When(x => x.Kind == SubjectKind.Site, () =>
            {
                RuleFor(x => x.CreditCode).Null().WithMessage("Only enterprises have a credit code.");
                RuleFor(x => x.Scale).Null().WithMessage("Only enterprises have a scale.");
            });
        }
    }
}

public sealed record SubjectCreated(Guid Id) : Created($"/api/subjects/{Id}");

/// <summary>
/// The credit code's claim on a subject, keyed by the code. Inserted in the registration's transaction, so the primary
/// key makes two registrations of one code impossible even when they race.
/// </summary>
public sealed class CreditCodeClaim
{
    public string Id { get; set; } = "";
    public Guid SubjectId { get; set; }
}

public static class RegisterSubjectEndpoint
{
    /// <summary>
    /// A credit code registered before is a conflict named here; two registrations of one code racing are told apart
    /// by the claim's primary key when they commit (DocumentAlreadyExistsException, answered 409 as well).
    /// </summary>
    public static async Task<ProblemDetails> ValidateAsync(RegisterSubject command, IQuerySession session, CancellationToken ct)
    {
        if (command.Kind != SubjectKind.Enterprise) return WolverineContinue.NoProblems;
        var code = SocialCreditCode.Normalize(command.CreditCode!);
        return await session.LoadAsync<CreditCodeClaim>(code, ct) is null
            ? WolverineContinue.NoProblems
            : Problems.Conflict($"A subject with credit code {code} is already registered; find it with GET /api/subjects?creditCode={code}.");
    }

    [WolverinePost("/api/subjects", OperationId = "RegisterSubject", Summary = "Register an enterprise or a construction site")]
    [Tags("subjects"), Authorize(Policy = Policies.Write)]
    [ProducesResponseType<SubjectCreated>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, Problems.ContentType)]
    public static SubjectCreated Post(RegisterSubject command, IDocumentSession session, Office office, TimeProvider clock)
    {
        var registered = Decide(command, Guid.CreateVersion7(), office.Code, clock.GetUtcNow());
        session.Events.StartStream<Subject>(registered.SubjectId, registered);
        if (registered.CreditCode is { } code) session.Insert(new CreditCodeClaim { Id = code, SubjectId = registered.SubjectId });
        return new SubjectCreated(registered.SubjectId);
    }

    public static SubjectRegistered Decide(RegisterSubject command, Guid id, string office, DateTimeOffset now)
    {
        var enterprise = command.Kind == SubjectKind.Enterprise;
        return new SubjectRegistered(
            id,
            office,
            command.Kind!.Value,
            command.Name!.Trim(),
            enterprise ? SocialCreditCode.Normalize(command.CreditCode!) : null,
            enterprise ? command.Scale : null,
            enterprise ? KeyProjectLevel.None : command.KeyProjectLevel ?? KeyProjectLevel.None,
            string.IsNullOrWhiteSpace(command.Address) ? null : command.Address.Trim(),
            command.Contact is { } contact ? new Contact(contact.Name.Trim(), contact.Phone.Trim()) : null,
            BusinessTime.Of(command.OccurredAt, now));
    }
}
