using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using TicketLedger.Subjects;
using Wolverine;
using Wolverine.Http;

namespace TicketLedger.Tickets;

public sealed record RaiseTicket(
    Guid SubjectId, string? Category, string? Title, string? Description, TicketSource? Source, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<RaiseTicket>
    {
        public Validator(ReferenceData reference, BusinessTime time)
        {
            RuleFor(x => x.SubjectId).NotEmpty();
            RuleFor(x => x.Category).NotEmpty().Must(reference.IsCategory).WithMessage("must be one of the category codes of GET /api/reference");
            RuleFor(x => x.Title).Text(TicketRules.MaxTitleLength);
            RuleFor(x => x.Description).Text();
            RuleFor(x => x.Source).NotNull().IsInEnum();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

/// <summary>201 Created with Location; the body carries the new ticket's id, its human-readable number and its url.</summary>
public sealed record TicketCreated(Guid Id, string Number) : Created($"/api/tickets/{Id}");

public static class RaiseTicketEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(RaiseTicket command, IQuerySession session, RegisteredSubjects subjects, CancellationToken ct) =>
        await subjects.IsRegisteredAsync(session, command.SubjectId, ct)
            ? WolverineContinue.NoProblems
            : TicketIntake.UnknownSubject(command.SubjectId);

    /// <summary>Decided here, numbered and committed with the office's other raises in flight (<see cref="TicketGroupCommit"/>).</summary>
    [WolverinePost("/api/tickets", OperationId = "RaiseTicket"), Tags("tickets"), Authorize(Policy = Policies.Write), RepeatsFoundInCommit]
    [ProducesResponseType<TicketCreated>(StatusCodes.Status201Created)]
    public static async Task<TicketCreated> Post(RaiseTicket command, TicketGroupCommit groups, Office office, HttpContext request, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var raised = await groups.RaiseAsync(office, Decide(command, Guid.CreateVersion7(), number: "", office, now), now, request);
        return new TicketCreated(raised.TicketId, raised.Number);
    }

    /// <summary>The decision itself: the number is allocated and the id chosen by the caller, so this stays pure.</summary>
    public static TicketRaised Decide(RaiseTicket command, Guid ticketId, string number, Office office, DateTimeOffset now)
    {
        var raisedAt = BusinessTime.Of(command.OccurredAt, now);
        return new TicketRaised(ticketId, office.Code, number, command.SubjectId, command.Category!, command.Title!.Trim(),
            command.Description!.Trim(), command.Source!.Value, raisedAt, office.EndOfLocalDay(raisedAt));
    }
}
