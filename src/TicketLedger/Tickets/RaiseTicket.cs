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
    public static async Task<ProblemDetails> ValidateAsync(RaiseTicket command, IDocumentSession session, CancellationToken ct) =>
        await TicketIntake.IsRegisteredSubjectAsync(session, command.SubjectId, ct)
            ? WolverineContinue.NoProblems
            : TicketIntake.UnknownSubject(command.SubjectId);

    [WolverinePost("/api/tickets", OperationId = "RaiseTicket"), Tags("tickets"), Authorize(Policy = Policies.Write)]
    [ProducesResponseType<TicketCreated>(StatusCodes.Status201Created)]
    public static async Task<(TicketCreated, OutgoingMessages)> Post(
        RaiseTicket command, IDocumentSession session, Office office, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var raised = await TicketIntake.RaiseAsync(session, office, command, Guid.CreateVersion7(), now, ct);
        return (new TicketCreated(raised.TicketId, raised.Number), [ResponseDeadline.For(raised, now)]);
    }

    /// <summary>The decision itself: the number is allocated and the id chosen by the caller, so this stays pure.</summary>
    public static TicketRaised Decide(RaiseTicket command, Guid ticketId, string number, Office office, DateTimeOffset now)
    {
        var raisedAt = BusinessTime.Of(command.OccurredAt, now);
        return new TicketRaised(ticketId, office.Code, number, command.SubjectId, command.Category!, command.Title!.Trim(),
            command.Description!.Trim(), command.Source!.Value, raisedAt, office.EndOfLocalDay(raisedAt));
    }
}

/// <summary>
/// Raising a ticket from anywhere: the HTTP endpoint and message handlers (a bureau's ProblemReferral) share it.
/// The caller validates the command, checks the subject, and commits the session; return
/// <see cref="ResponseDeadline.For"/> as a cascading message so the same-day timer commits in the same transaction.
/// </summary>
public static class TicketIntake
{
    public static async Task<bool> IsRegisteredSubjectAsync(IQuerySession session, Guid subjectId, CancellationToken ct)
    {
        if (subjectId == Guid.Empty) return false;
        var first = await session.Events.FetchStreamAsync(subjectId, version: 1, token: ct);
        return first.Count > 0 && first[0].Data is SubjectRegistered;
    }

    public static ProblemDetails UnknownSubject(Guid subjectId)
    {
        var problem = Problems.BadRequest($"No subject {subjectId} is registered; register it with POST /api/subjects first.");
        problem.Extensions["errors"] = new Dictionary<string, string[]> { ["subjectId"] = ["must be a registered subject"] };
        return problem;
    }

    public static async Task<TicketRaised> RaiseAsync(
        IDocumentSession session, Office office, RaiseTicket command, Guid ticketId, DateTimeOffset now, CancellationToken ct)
    {
        var raisedAt = BusinessTime.Of(command.OccurredAt, now);
        var number = await TicketNumbers.NextAsync(session, office.Code, office.LocalDate(raisedAt).Year, ct);
        var raised = RaiseTicketEndpoint.Decide(command, ticketId, number, office, now);
        session.Events.StartStream<TicketView>(ticketId, raised);
        return raised;
    }
}
