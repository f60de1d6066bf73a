using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Tickets;

public sealed record ResolveTicket(string? Resolution, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<ResolveTicket>
    {
        public Validator(BusinessTime time)
        {
            RuleFor(x => x.Resolution).Text();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class ResolveTicketEndpoint
{
    /// <summary>Someone must own a ticket before it can be resolved: a department (assigned) or a bureau (escalated).</summary>
    public static ProblemDetails Check(ResolveTicket command, Ticket ticket) =>
        TicketRules.AllowedIn(ticket, "resolve", TicketStatus.Assigned, TicketStatus.Escalated)
            .Then(() => TicketRules.NotBeforeRaised(ticket, command.OccurredAt));

    public static Task<(Ticket, ProblemDetails)> LoadAsync(Guid id, TicketReads reads, HttpContext context) => reads.ForChangeAsync(id, context);

    public static ProblemDetails Validate(ResolveTicket command, Ticket ticket, HttpContext context) =>
        Preconditions.IfMatch(context, ticket.Version).Then(() => Check(command, ticket));

    [WolverinePost("/api/tickets/{id}/resolve", OperationId = "ResolveTicket"), Tags("tickets"), EmptyResponse, Authorize(Policy = Policies.Write), RepeatsFoundInCommit]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static async Task Post(ResolveTicket command, Ticket ticket, TimeProvider clock,
        IQuerySession session, ITicketNotices notices, TicketGroupCommit groups, HttpContext request, CancellationToken ct)
    {
        var resolved = Decide(command, ticket, clock.GetUtcNow());
        await groups.AppendAsync(ticket, [resolved], request, await notices.ResolvedAsync(session, ticket, resolved, ct));
    }

    public static TicketResolved Decide(ResolveTicket command, Ticket ticket, DateTimeOffset now) =>
        new(ticket.Id, command.Resolution!.Trim(), BusinessTime.Of(command.OccurredAt, now));
}
