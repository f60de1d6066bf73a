using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Tickets;

public sealed record EscalateTicket(string? Bureau, string? Reason, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<EscalateTicket>
    {
        public Validator(ReferenceData reference, BusinessTime time)
        {
            RuleFor(x => x.Bureau).NotEmpty().Must(reference.IsBureau).WithMessage("must be one of the bureau codes of GET /api/reference");
            RuleFor(x => x.Reason).Text();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class EscalateTicketEndpoint
{
    /// <summary>
    /// Straight from intake or from the department that holds it; a ticket already with a bureau waits for its reply
    /// (or is resolved) rather than being passed on a second time.
    /// </summary>
    public static ProblemDetails Check(EscalateTicket command, Ticket ticket) =>
        TicketRules.AllowedIn(ticket, "escalate", TicketStatus.Open, TicketStatus.Assigned)
            .Then(() => TicketRules.NotBeforeRaised(ticket, command.OccurredAt));

    public static Task<(Ticket, ProblemDetails)> LoadAsync(Guid id, TicketReads reads, HttpContext context) => reads.ForChangeAsync(id, context);

    public static ProblemDetails Validate(EscalateTicket command, Ticket ticket, HttpContext context) =>
        Preconditions.IfMatch(context, ticket.Version).Then(() => Check(command, ticket));

    [WolverinePost("/api/tickets/{id}/escalate", OperationId = "EscalateTicket"), Tags("tickets"), EmptyResponse, Authorize(Policy = Policies.Write), RepeatsFoundInCommit]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static async Task Post(EscalateTicket command, Ticket ticket, TimeProvider clock,
        IQuerySession session, ITicketNotices notices, TicketGroupCommit groups, HttpContext request, CancellationToken ct)
    {
        var escalated = Decide(command, ticket, clock.GetUtcNow());
        await groups.AppendAsync(ticket, [escalated], request, await notices.EscalatedAsync(session, ticket, escalated, ct));
    }

    public static TicketEscalated Decide(EscalateTicket command, Ticket ticket, DateTimeOffset now) =>
        new(ticket.Id, command.Bureau!, command.Reason!.Trim(), BusinessTime.Of(command.OccurredAt, now));
}
