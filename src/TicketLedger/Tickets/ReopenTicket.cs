using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Tickets;

public sealed record ReopenTicket(string? Reason, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<ReopenTicket>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.Reason).Text();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class ReopenTicketEndpoint
{
    public static ProblemDetails Check(ReopenTicket command, Ticket ticket) =>
        TicketRules.AllowedIn(ticket, "reopen", TicketStatus.Resolved)
            .Then(() => TicketRules.NotBeforeRaised(ticket, command.OccurredAt));

    public static Task<(Ticket, ProblemDetails)> LoadAsync(Guid id, TicketReads reads, HttpContext context) => reads.ForChangeAsync(id, context);

    public static ProblemDetails Validate(ReopenTicket command, Ticket ticket, HttpContext context) =>
        Preconditions.IfMatch(context, ticket.Version).Then(() => Check(command, ticket));

    [WolverinePost("/api/tickets/{id}/reopen", OperationId = "ReopenTicket"), Tags("tickets"), EmptyResponse, Authorize(Policy = Policies.Write), RepeatsFoundInCommit]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static Task Post(ReopenTicket command, Ticket ticket, TimeProvider clock,
        TicketGroupCommit groups, HttpContext request) =>
        groups.AppendAsync(ticket, [Decide(command, ticket, clock.GetUtcNow())], request);

    public static TicketReopened Decide(ReopenTicket command, Ticket ticket, DateTimeOffset now) =>
        new(ticket.Id, command.Reason!.Trim(), BusinessTime.Of(command.OccurredAt, now));
}
