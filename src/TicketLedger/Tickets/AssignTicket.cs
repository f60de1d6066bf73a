using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Tickets;

public sealed record AssignTicket(string? Department, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<AssignTicket>
    {
        public Validator(ReferenceData reference, BusinessTime time)
        {
            RuleFor(x => x.Department).NotEmpty().Must(reference.IsDepartment).WithMessage("must be one of the department codes of GET /api/reference");
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class AssignTicketEndpoint
{
    /// <summary>An open ticket gets a department; an assigned one may move to another. Escalated and resolved ones stay put.</summary>
    public static ProblemDetails Check(AssignTicket command, Ticket ticket) =>
        ticket.Status == TicketStatus.Assigned && ticket.Department == command.Department
            ? TicketRules.Refuse(ticket, "assign", $"it is already with {command.Department}")
            : TicketRules.AllowedIn(ticket, "assign", TicketStatus.Open, TicketStatus.Assigned)
                .Then(() => TicketRules.NotBeforeRaised(ticket, command.OccurredAt));

    public static Task<(Ticket, ProblemDetails)> LoadAsync(Guid id, TicketReads reads, HttpContext context) => reads.ForChangeAsync(id, context);

    public static ProblemDetails Validate(AssignTicket command, Ticket ticket, HttpContext context) =>
        Preconditions.IfMatch(context, ticket.Version).Then(() => Check(command, ticket));

    [WolverinePost("/api/tickets/{id}/assign", OperationId = "AssignTicket"), Tags("tickets"), EmptyResponse, Authorize(Policy = Policies.Write), RepeatsFoundInCommit]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static Task Post(AssignTicket command, Ticket ticket, TimeProvider clock,
        TicketGroupCommit groups, HttpContext request) =>
        groups.AppendAsync(ticket, [Decide(command, ticket, clock.GetUtcNow())], request);

    public static TicketAssigned Decide(AssignTicket command, Ticket ticket, DateTimeOffset now) =>
        new(ticket.Id, command.Department!, BusinessTime.Of(command.OccurredAt, now));
}
