using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Audit;

/// <summary>Auditors' HTTP view of the chain (auditor and admin keys).</summary>
public static class AuditEndpoints
{
    public const string AgainstFormat = "against must be '<sequence>:<64 hex digits>', as GET /api/audit/digest returns it";

    public static IResult UnknownDatabase(OfficeDatabases databases) => Results.ValidationProblem(new Dictionary<string, string[]>
    {
        ["database"] = [$"database must name a database holding offices: {string.Join(", ", databases.Names)}."],
    });

    /// <summary>Walks the whole chain of a database; 200 whether or not it holds, the answer says which and whose it is.</summary>
    [NotTenanted]
    [WolverineGet("/api/audit/verify", OperationId = "VerifyAuditChain", Summary = "Verify the tamper-evident event chain")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [ProducesResponseType<ChainVerification>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public static async Task<IResult> Verify(string? against, string? database, AuditChains chains, OfficeDatabases databases, CancellationToken ct)
    {
        if (chains.Named(database) is not { } chain) return UnknownDatabase(databases);
        ChainAnchor? anchor = null;
        if (against is not null && !ChainAnchor.TryParse(against, out anchor))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["against"] = [AgainstFormat] });
        return Results.Ok(await chain.VerifyAsync(anchor, ct) with { Database = chain.Database, Offices = chain.Offices });
    }

    /// <summary>The head to record now and verify against later.</summary>
    [NotTenanted]
    [WolverineGet("/api/audit/digest", OperationId = "AuditChainDigest", Summary = "The head of the event chain, to record and verify against later")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [ProducesResponseType<ChainHead>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    public static async Task<IResult> Digest(string? database, AuditChains chains, OfficeDatabases databases, CancellationToken ct)
    {
        if (chains.Named(database) is not { } chain) return UnknownDatabase(databases);
        return await chain.HeadAsync(ct) is { } head
            ? Results.Ok(head with { Database = chain.Database, Offices = chain.Offices })
            : Results.Problem(Problems.NotFound("No event has been recorded yet, so the chain has no head."));
    }
}
