using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Tickets;

public sealed record RecordBureauReply(string? Bureau, string? Message, DateTimeOffset? OccurredAt = null)
{
    public sealed class Validator : AbstractValidator<RecordBureauReply>
    {
        public Validator(ReferenceData reference, BusinessTime time)
        {
            RuleFor(x => x.Bureau).NotEmpty().Must(reference.IsBureau).WithMessage("must be one of the bureau codes of GET /api/reference");
            RuleFor(x => x.Message).Text();
            RuleFor(x => x.OccurredAt).BusinessTime(time);
        }
    }
}

public static class RecordBureauReplyEndpoint
{
    /// <summary>Only the bureau the ticket was escalated to can reply, until the ticket is resolved.</summary>
    public static ProblemDetails Check(RecordBureauReply command, Ticket ticket) =>
        ticket.Bureau != command.Bureau
            ? TicketRules.Refuse(ticket, "record a reply from " + command.Bureau + " on", "it was not escalated to that bureau")
            : TicketRules.AllowedIn(ticket, "record a bureau reply on", TicketStatus.Open, TicketStatus.Assigned, TicketStatus.Escalated)
                .Then(() => TicketRules.NotBeforeRaised(ticket, command.OccurredAt));

    /// <summary>
    /// A bureau key speaks only for its own bureau (403 otherwise) and does not learn of tickets that were never
    /// escalated to it (404, as for its reads).
    /// </summary>
    public static Task<(Ticket, ProblemDetails)> LoadAsync(Guid id, TicketReads reads, HttpContext context) => reads.ForChangeAsync(id, context);

    public static ProblemDetails Validate(RecordBureauReply command, Ticket ticket, HttpContext context)
    {
        if (context.User.IsInRole(Roles.Bureau))
        {
            var own = context.User.FindFirstValue(ApiKeyAuthenticationHandler.BureauClaim);
            if (command.Bureau != own)
                return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden", $"This key speaks for the bureau '{own}' only.");
            if (ticket.Bureau != own) return TicketAccess.NotFound(ticket.Id);
        }
        return Preconditions.IfMatch(context, ticket.Version).Then(() => Check(command, ticket));
    }

    [WolverinePost("/api/tickets/{id}/bureau-replies", OperationId = "RecordBureauReply"), Tags("tickets"), EmptyResponse, Authorize(Policy = Policies.BureauWrite), RepeatsFoundInCommit]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static Task Post(RecordBureauReply command, Ticket ticket, TimeProvider clock,
        TicketGroupCommit groups, HttpContext request) =>
        groups.AppendAsync(ticket, [Decide(command, ticket, null, clock.GetUtcNow())], request);

    /// <summary>messageId: the broker message that carried the reply, when it came that way.</summary>
    public static BureauReplied Decide(RecordBureauReply command, Ticket ticket, string? messageId, DateTimeOffset now) =>
        new(ticket.Id, command.Bureau!, command.Message!.Trim(), messageId, BusinessTime.Of(command.OccurredAt, now));
}
