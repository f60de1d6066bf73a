using System.Security.Claims;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Tickets;
using Wolverine;
using Wolverine.Http;

namespace TicketLedger.Bureaus;

/// <summary>
/// A bureau hands the office a problem over HTTP: the same fields and the same effect as the ProblemReferral message
/// (docs/messages.md), the sender being the bureau of the caller's key. The same messageId raises one ticket, whichever
/// way it arrives; sending it again answers with that ticket.
/// </summary>
public sealed record ReferProblem(
    string? MessageId, Guid SubjectId, string? Category, string? Title, string? Description, DateTimeOffset? OccurredAt = null)
{
    public const int MaxMessageIdLength = 200;

    public RaiseTicket AsRaise() => new(SubjectId, Category, Title, Description, TicketSource.BureauReferral, OccurredAt);

    public sealed class Validator : AbstractValidator<ReferProblem>
    {
        public Validator(IValidator<RaiseTicket> raise)
        {
            RuleFor(x => x.MessageId).NotEmpty().MaximumLength(MaxMessageIdLength);
            RuleFor(x => x.AsRaise()).SetValidator(raise).OverridePropertyName("");
        }
    }
}

public static class ReferProblemEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(ReferProblem command, IQuerySession session, RegisteredSubjects subjects, CancellationToken ct) =>
        await subjects.IsRegisteredAsync(session, command.SubjectId, ct)
            ? WolverineContinue.NoProblems
            : TicketIntake.UnknownSubject(command.SubjectId);

    [WolverinePost("/api/referrals", OperationId = "ReferProblem", Summary = "A bureau hands the office a new problem")]
    [Tags("bureaus"), Authorize(Policy = Policies.Refer)]
    [ProducesResponseType<TicketCreated>(StatusCodes.Status201Created)]
    public static async Task<(TicketCreated, OutgoingMessages)> Post(
        ReferProblem command, IDocumentSession session, TicketNumberTurn turn, ClaimsPrincipal user, Office office, Offices offices, TimeProvider clock, CancellationToken ct)
    {
        var bureau = user.FindFirstValue(ApiKeyAuthenticationHandler.BureauClaim)!;
        var referred = await ProblemReferrals.RaiseOnceAsync(session, turn, office, offices, bureau, command.MessageId!, command.AsRaise(), clock.GetUtcNow(), ct);
        return (new TicketCreated(referred.TicketId, referred.Number), referred.Messages);
    }
}
