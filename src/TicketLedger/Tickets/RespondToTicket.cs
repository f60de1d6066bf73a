using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Tickets;

public sealed record RespondToTicket(string? Message, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<RespondToTicket>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.Message).Text();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class RespondToTicketEndpoint
{
    /// <summary>"事事有回音": the enterprise may be answered, and answered again, at any point until the ticket is resolved.</summary>
    public static ProblemDetails Check(RespondToTicket command, Ticket ticket) =>
        TicketRules.AllowedIn(ticket, "respond to", TicketStatus.Open, TicketStatus.Assigned, TicketStatus.Escalated)
            .Then(() => TicketRules.NotBeforeRaised(ticket, command.OccurredAt));

    public static Task<(Ticket, ProblemDetails)> LoadAsync(Guid id, TicketReads reads, HttpContext context) => reads.ForChangeAsync(id, context);

    public static ProblemDetails Validate(RespondToTicket command, Ticket ticket, HttpContext context) =>
        Preconditions.IfMatch(context, ticket.Version).Then(() => Check(command, ticket));

    [WolverinePost("/api/tickets/{id}/respond", OperationId = "RespondToTicket"), Tags("tickets"), EmptyResponse, Authorize(Policy = Policies.Write), RepeatsFoundInCommit]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static Task Post(RespondToTicket command, Ticket ticket, TimeProvider clock,
        TicketGroupCommit groups, HttpContext request) =>
        groups.AppendAsync(ticket, [Decide(command, ticket, clock.GetUtcNow())], request);

    public static TicketResponded Decide(RespondToTicket command, Ticket ticket, DateTimeOffset now) =>
        new(ticket.Id, command.Message!.Trim(), BusinessTime.Of(command.OccurredAt, now));
}
