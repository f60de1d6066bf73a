using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Transparency;
using Wolverine;
using Wolverine.Http;

namespace TicketLedger.Audit;

/// <summary>The transparency log over HTTP for auditors (docs/audit.md): checkpoint, key, proofs, export.</summary>
public static class LogEndpoints
{
    public const string NdJson = "application/x-ndjson";

    /// <summary>The latest signed checkpoint with its witnesses' cosignatures, brought up to date with what has committed.</summary>
    [NotTenanted]
    [WolverineGet("/api/audit/checkpoint", OperationId = "GetAuditCheckpoint", Summary = "The latest signed checkpoint of the transparency log (C2SP signed note)")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [Produces("text/plain")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/plain")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public static async Task<IResult> Checkpoint(string? database, TransparencyLogs logs, OfficeDatabases databases, IMessageBus bus, CancellationToken ct)
    {
        if (logs.Named(database) is not { } log) return AuditEndpoints.UnknownDatabase(databases);
        return await log.CatchUpAsync(bus, ct) is { } latest
            ? Results.Text(latest.Note.Text, "text/plain; charset=utf-8")
            : Results.Problem(Problems.NotFound("No event has been recorded yet, so the log has no checkpoint."));
    }

    [NotTenanted]

    [WolverineGet("/api/audit/public-key", OperationId = "GetAuditPublicKey", Summary = "The Ed25519 key that signs the checkpoints")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [ProducesResponseType<PublicKeyDocument>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public static IResult PublicKey(string? database, TransparencyLogs logs, OfficeDatabases databases) =>
        logs.Named(database) is { } log ? Results.Ok(PublicKeyDocument.Of(log.PublicKey)) : AuditEndpoints.UnknownDatabase(databases);

    /// <summary>RFC 9162 §2.1.3 inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    [NotTenanted]
    [WolverineGet("/api/audit/proof/inclusion", OperationId = "GetAuditInclusionProof", Summary = "Inclusion proof of a leaf in a tree size up to the latest checkpoint's")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [ProducesResponseType<InclusionProof>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public static async Task<IResult> Inclusion(long? index, long? size, string? database, TransparencyLogs logs, OfficeDatabases databases, CancellationToken ct)
    {
        if (logs.Named(database) is not { } log) return AuditEndpoints.UnknownDatabase(databases);
        var latest = (await log.LatestCheckpointAsync(ct))?.Checkpoint.Size ?? 0;
        var errors = new Dictionary<string, string[]>();
        if (size is not { } n || n < 1 || n > latest) errors["size"] = [SizeRule(latest)];
        else if (index is not { } i || i < 0 || i >= n) errors["index"] = ["index must be a leaf of the tree: 0 ≤ index < size."];
        return errors.Count > 0 ? Results.ValidationProblem(errors) : Results.Ok(await log.InclusionProofAsync(index!.Value, size!.Value, ct));
    }

    /// <summary>RFC 9162 §2.1.4 consistency proof: the tree of <paramref name="to"/> leaves extends the one of <paramref name="from"/>.</summary>
    [NotTenanted]
    [WolverineGet("/api/audit/proof/consistency", OperationId = "GetAuditConsistencyProof", Summary = "Consistency proof between two tree sizes up to the latest checkpoint's")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [ProducesResponseType<ConsistencyProof>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public static async Task<IResult> Consistency(long? from, long? to, string? database, TransparencyLogs logs, OfficeDatabases databases, CancellationToken ct)
    {
        if (logs.Named(database) is not { } log) return AuditEndpoints.UnknownDatabase(databases);
        var latest = (await log.LatestCheckpointAsync(ct))?.Checkpoint.Size ?? 0;
        var errors = new Dictionary<string, string[]>();
        if (to is not { } n || n < 1 || n > latest) errors["to"] = [SizeRule(latest)];
        else if (from is not { } m || m < 1 || m > n) errors["from"] = ["from must be a tree size: 1 ≤ from ≤ to."];
        return errors.Count > 0 ? Results.ValidationProblem(errors) : Results.Ok(await log.ConsistencyProofAsync(from!.Value, to!.Value, ct));
    }

    /// <summary>
    /// Every leaf up to a checkpoint's size (default the latest) with its event, one JSON object per line: every
    /// office's events, so only for keys that may use every office. The other routes here give hashes and sizes only.
    /// </summary>
    [NotTenanted]
    [WolverineGet("/api/audit/export", OperationId = "ExportAuditLog", Summary = "The whole log as JSON lines, to rebuild the tree and the ledger offline")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [Produces(NdJson)]
    [ProducesResponseType<ExportedEvent>(StatusCodes.Status200OK, NdJson)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, Problems.ContentType)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public static async Task<IResult> Export(long? size, string? database, TransparencyLogs logs, OfficeDatabases databases, ClaimsPrincipal user, Offices offices,
        CancellationToken ct)
    {
        if (OfficeRequests.EveryOffice(user, offices, "The log's export") is { Status: StatusCodes.Status403Forbidden } refused)
            return Results.Problem(refused);
        if (logs.Named(database) is not { } log) return AuditEndpoints.UnknownDatabase(databases);
        var latest = (await log.LatestCheckpointAsync(ct))?.Checkpoint.Size ?? 0;
        if (size is { } n && (n < 1 || n > latest)) return Results.ValidationProblem(new Dictionary<string, string[]> { ["size"] = [SizeRule(latest)] });
        return Results.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false));
            await foreach (var line in log.ExportAsync(size ?? latest, ct))
            {
                await writer.WriteAsync(System.Text.Json.JsonSerializer.Serialize(line, Documents.Json));
                await writer.WriteAsync('\n');
            }
        }, NdJson);
    }

    private static string SizeRule(long latest) =>
        latest == 0 ? "No checkpoint has been issued yet: GET /api/audit/checkpoint first." : $"A tree size from 1 to the latest checkpoint's, {latest}.";
}
