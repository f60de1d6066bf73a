using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace TicketLedger.Hosting;

/// <summary>
/// 201 Created with Location; the body is the record itself. Wolverine applies it to the response before it commits
/// the command, which is when the outcome an `Idempotency-Key` replays is taken (<see cref="IdempotencyClaim"/>).
/// </summary>
public abstract record Created(string Url) : IHttpAware
{
    public void Apply(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = Url;
        if (IdempotencyClaim.Current is not { } claim) return;
        RecordIn(claim, context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
    }

    /// <summary>The outcome a repeat of the request replays: this 201, as the response will carry it.</summary>
    public void RecordIn(IdempotencyClaim claim, JsonSerializerOptions json) =>
        claim.Succeeded(StatusCodes.Status201Created, Url, "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(this, GetType(), json));

    /// <summary>Nothing to add: each endpoint declares its own 201 response type, which a base record cannot name.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) { }
}
