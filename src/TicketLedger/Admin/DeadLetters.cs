using System.Security.Claims;
using System.Text;
using System.Text.Json;
using JasperFx.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Persistence.Durability;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Runtime;

namespace TicketLedger.Admin;

/// <summary>One message Wolverine gave up on, with the reason, as an admin reads it.</summary>
public sealed record DeadLetterItem(
    Guid Id, string? MessageType, string? ReceivedAt, string? ExceptionType, string? Reason, DateTimeOffset SentAt,
    DateTimeOffset? FailedAt, bool Replayable, int ReplayCount, JsonElement? Message);

public sealed record DeadLetterPage(IReadOnlyList<DeadLetterItem> Items, int Page, int PageSize, int Total);

/// <summary>
/// Wolverine's dead-letter store in PostgreSQL: messages from the bureaus that could not be applied (unknown ticket,
/// subject or bureau, a refused state, an unreadable body). An admin fixes the cause, then replays the message.
/// </summary>
public static class DeadLetterEndpoints
{
    /// <summary>Dead letters are every office's messages, with their bodies: an admin bound to some offices sees none.</summary>
    public static ProblemDetails Validate(ClaimsPrincipal user, Offices offices) => OfficeRequests.EveryOffice(user, offices, "The dead-letter store");

    [NotTenanted]
    [WolverineGet("/api/admin/dead-letters", OperationId = "ListDeadLetters"), Tags("admin"), Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<DeadLetterPage>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(IWolverineRuntime runtime, string? page, string? pageSize, CancellationToken ct)
    {
        var query = new QueryValues();
        var (number, size) = query.Paging(page, pageSize);
        if (query.Invalid) return query.Result();
        var results = await runtime.Storage.DeadLetters.QueryAsync(
            new DeadLetterEnvelopeQuery(TimeRange.AllTime()) { PageNumber = number, PageSize = size }, ct);
        return Results.Ok(new DeadLetterPage(results.Envelopes.Select(Item).ToList(), number, size, results.TotalCount));
    }

    [NotTenanted]

    [WolverinePost("/api/admin/dead-letters/{id}/replay", OperationId = "ReplayDeadLetter"), Tags("admin"), Authorize(Policy = Policies.Admin)]
    [ProducesResponseType(StatusCodes.Status202Accepted), ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Replay(Guid id, IWolverineRuntime runtime)
    {
        var deadLetters = runtime.Storage.DeadLetters;
        if (await deadLetters.DeadLetterEnvelopeByIdAsync(id, null!) is null)
            return Results.Problem(Problems.NotFound($"No dead letter {id}."));
        // Wolverine's durability agent moves replayable dead letters back into the inbox on its next pass.
        await deadLetters.MarkDeadLetterEnvelopesAsReplayableAsync([id]);
        return Results.Accepted();
    }

    private static DeadLetterItem Item(DeadLetterEnvelope dead) => new(
        dead.Id, dead.MessageType, dead.ReceivedAt, dead.ExceptionType, dead.ExceptionMessage, dead.SentAt, dead.FailedAt,
        dead.Replayable, dead.ReplayCount, Body(dead.Envelope?.Data));

    /// <summary>The body as sent; an unreadable one (the reason it is here, perhaps) is shown as a string.</summary>
    private static JsonElement? Body(byte[]? data)
    {
        if (data is null || data.Length == 0) return null;
        try { return JsonDocument.Parse(data).RootElement.Clone(); }
        catch (JsonException) { return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(data)); }
    }
}
