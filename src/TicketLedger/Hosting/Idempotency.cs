using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine;
using Wolverine.Http;

namespace TicketLedger.Hosting;

/// <summary>
/// `Idempotency-Key` on every POST, on Wolverine's replayable deduplication: the first request with a key claims it in
/// PostgreSQL (wolverine_deduplicated_responses) and records its response; a repeat from the same caller with the same
/// method, path and body is answered with that response (status, body, Location) and runs nothing; the same key with
/// a different request is 422; a repeat while the first is still running is 409. A request that fails (4xx/5xx)
/// releases its claim, so the key means "this succeeded once". Claims are kept `Idempotency:RetentionHours` (24) and
/// then reaped.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";

    public static WebApplicationBuilder AddIdempotency(this WebApplicationBuilder builder)
    {
        var retention = TimeSpan.FromHours(builder.Configuration.GetValue("Idempotency:RetentionHours", 24.0));
        if (retention <= TimeSpan.Zero) throw new InvalidOperationException("Idempotency:RetentionHours must be positive.");
        builder.Services.ConfigureWolverine(opts =>
        {
            opts.Durability.EnableDeduplicatedResponses = true;
            opts.Durability.DeduplicationWindow = retention;
        });
        return builder;
    }
}

/// <summary>Puts every POST endpoint, whatever its area, under the key; keys belong to the authenticated caller.</summary>
public sealed class IdempotencyPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HttpMethods.Contains("POST") && c.DeduplicatedWithResponse is null))
            chain.DeduplicatedWithResponse = new DeduplicatedWithResponseRequirement { Scope = DeduplicationScope.User, Required = false };
    }
}
