using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Tickets;

/// <summary>回访: the office calls the enterprise back after resolving its problem.</summary>
public sealed record RecordReturnVisit(bool? ResolvedConfirmed, bool? Satisfied, string? Notes, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<RecordReturnVisit>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.ResolvedConfirmed).NotNull();
            RuleFor(x => x.Satisfied).NotNull();
            RuleFor(x => x.Notes).MaximumLength(TicketRules.MaxTextLength);
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class RecordReturnVisitEndpoint
{
    public static ProblemDetails Check(RecordReturnVisit command, Ticket ticket) =>
        TicketRules.AllowedIn(ticket, "record a return visit on", TicketStatus.Resolved)
            .Then(() => TicketRules.NotBeforeRaised(ticket, command.OccurredAt));

    public static Task<(Ticket, ProblemDetails)> LoadAsync(Guid id, TicketReads reads, HttpContext context) => reads.ForChangeAsync(id, context);

    public static ProblemDetails Validate(RecordReturnVisit command, Ticket ticket, HttpContext context) =>
        Preconditions.IfMatch(context, ticket.Version).Then(() => Check(command, ticket));

    [WolverinePost("/api/tickets/{id}/return-visits", OperationId = "RecordReturnVisit"), Tags("tickets"), EmptyResponse, Authorize(Policy = Policies.Write), RepeatsFoundInCommit]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static Task Post(RecordReturnVisit command, Ticket ticket, TimeProvider clock,
        TicketGroupCommit groups, HttpContext request) =>
        groups.AppendAsync(ticket, Decide(command, ticket, clock.GetUtcNow()), request);

    /// <summary>An enterprise that says the problem is not solved gets its ticket reopened by the same visit.</summary>
    public static Events Decide(RecordReturnVisit command, Ticket ticket, DateTimeOffset now)
    {
        var at = BusinessTime.Of(command.OccurredAt, now);
        var notes = string.IsNullOrWhiteSpace(command.Notes) ? null : command.Notes.Trim();
        Events events = [new ReturnVisitRecorded(ticket.Id, command.ResolvedConfirmed!.Value, command.Satisfied!.Value, notes, at)];
        if (command.ResolvedConfirmed == false)
            events.Add(new TicketReopened(ticket.Id, "Return visit: the enterprise did not confirm the resolution" + (notes is null ? "" : ": " + notes), at));
        return events;
    }
}
