using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>
/// `If-Match: "&lt;version&gt;"` (the ETag of GET /api/tickets/{id}) on a lifecycle command. A stale version is refused with
/// 412 before anything is decided; two requests that pass this check together still meet Marten's optimistic
/// concurrency on append, so only one of them commits.
/// </summary>
public static class Preconditions
{
    public static ProblemDetails IfMatch(HttpContext context, long version)
    {
        var header = context.Request.Headers.IfMatch;
        if (header.Count == 0) return WolverineContinue.NoProblems;
        if (!EntityTagHeaderValue.TryParseList(header, out var tags) || tags.Count == 0)
            return Problems.BadRequest("If-Match must be a quoted stream version such as \"3\", or *.");
        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Value == $"\"{version}\"")) return WolverineContinue.NoProblems;
        var problem = Problems.Create(StatusCodes.Status412PreconditionFailed, "Precondition Failed",
            $"If-Match {header} does not match the ticket's current version \"{version}\"; read it again and retry.");
        problem.Extensions["version"] = version;
        return problem;
    }

    public static string ETag(long version) => $"\"{version}\"";
}
