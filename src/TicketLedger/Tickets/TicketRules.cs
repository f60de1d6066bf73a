using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>The checks every lifecycle command shares: its state, its business time, and the caller's If-Match.</summary>
public static class TicketRules
{
    public const int MaxTextLength = 2000;
    public const int MaxTitleLength = 200;

    /// <summary>The JSON name of a status, as clients see it ("escalated").</summary>
    public static string Name(this TicketStatus status) => JsonNamingPolicy.KebabCaseLower.ConvertName(status.ToString());

    /// <summary>409 that names the state the ticket is in, so the caller can tell what to do instead.</summary>
    public static ProblemDetails Refuse(Ticket ticket, string action, string? why = null)
    {
        var problem = Problems.Conflict($"Cannot {action} ticket {ticket.Id}: it is {ticket.Status.Name()}{(why is null ? "" : "; " + why)}.");
        problem.Extensions["state"] = ticket.Status.Name();
        return problem;
    }

    /// <summary>Allowed in the listed states, refused with the current one otherwise.</summary>
    public static ProblemDetails AllowedIn(Ticket ticket, string action, params TicketStatus[] states) =>
        states.Contains(ticket.Status) ? WolverineContinue.NoProblems : Refuse(ticket, action);

    /// <summary>A record of something that happened to a ticket cannot predate the ticket.</summary>
    public static ProblemDetails NotBeforeRaised(Ticket ticket, DateTimeOffset? occurredAt)
    {
        if (occurredAt is not { } at || at >= ticket.RaisedAt) return WolverineContinue.NoProblems;
        var problem = Problems.BadRequest($"occurredAt {at:O} lies before the ticket was raised ({ticket.RaisedAt:O}).");
        problem.Extensions["errors"] = new Dictionary<string, string[]> { ["occurredAt"] = ["must not lie before the ticket was raised"] };
        return problem;
    }

    public static ProblemDetails Then(this ProblemDetails first, Func<ProblemDetails> next) =>
        ReferenceEquals(first, WolverineContinue.NoProblems) ? next() : first;

    public static IRuleBuilderOptions<T, string?> Text<T>(this IRuleBuilder<T, string?> rule, int maxLength = MaxTextLength) =>
        rule.NotEmpty().MaximumLength(maxLength);
}
