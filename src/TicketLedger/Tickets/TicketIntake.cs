using Marten;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Subjects;

namespace TicketLedger.Tickets;

/// <summary>
/// Raising a ticket in a handler's own transaction (a bureau's ProblemReferral); the HTTP endpoint shares the subject
/// check and commits its raises in groups instead (<see cref="TicketGroupCommit"/>). The caller validates the command,
/// checks the subject, and commits the session; return <see cref="ResponseDeadline.For"/> as a cascading message so the
/// same-day timer commits in the same transaction.
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
        IDocumentSession session, TicketNumberTurn turn, Office office, RaiseTicket command, Guid ticketId, DateTimeOffset now, CancellationToken ct)
    {
        // Decided first, numbered second: the number's year is the local year of the decided business time.
        var decided = RaiseTicketEndpoint.Decide(command, ticketId, number: "", office, now);
        var year = TicketNumbers.YearOf(decided, office);
        var number = await turn.TakeAsync(session, office.Code, year, ct);
        var raised = decided with { Number = number };
        session.Events.StartStream<Ticket>(ticketId, raised);
        return raised;
    }
}
