using Marten;
using Marten.Services;
using Wolverine.Http;

namespace TicketLedger.Hosting;

/// <summary>
/// The key a request is running under, and the outcome its client will get, known before the command commits: a
/// <see cref="Created"/> resource reports its status, Location and body when Wolverine applies it to the response, and
/// an `[EmptyResponse]` endpoint's outcome is 204 with no body. <see cref="IdempotencyClaimListener"/> writes it into
/// the transaction of the first session the request saves.
/// </summary>
public sealed class IdempotencyClaim(string caller, string key, string requestHash, DateTimeOffset claimedAt, DateTimeOffset expiredBefore, bool emptyResponse)
{
    private static readonly AsyncLocal<IdempotencyClaim?> Running = new();

    public static IdempotencyClaim? Current => Running.Value;

    public string Caller { get; } = caller;
    public string Key { get; } = key;
    public string RequestHash { get; } = requestHash;
    public DateTimeOffset ClaimedAt { get; } = claimedAt;
    public DateTimeOffset ExpiredBefore { get; } = expiredBefore;

    public int? Status { get; private set; } = emptyResponse ? StatusCodes.Status204NoContent : null;
    public string? Location { get; private set; }
    public string? ContentType { get; private set; }
    public byte[]? Body { get; private set; }

    /// <summary>Whether the claim went into a transaction; only the first save of a request carries it.</summary>
    public bool Written { get; private set; }

    public static bool IsEmptyResponse(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<EmptyResponseAttribute>() is not null;

    public IDisposable Enter()
    {
        Running.Value = this;
        return new Exit();
    }

    public void Succeeded(int status, string? location, string contentType, byte[] body)
    {
        Status = status;
        Location = location;
        ContentType = contentType;
        Body = body;
    }

    /// <summary>
    /// Adds the claim to the session's unit of work: an expired claim of the same key is dropped, and the insert is the
    /// arbiter between two concurrent requests with one key (the second waits for the first's transaction and then fails
    /// on the primary key, rolling back everything it would have appended).
    /// </summary>
    public void QueueInto(IDocumentSession session, string table)
    {
        session.QueueSqlCommand($"delete from {table} where caller = ? and key = ? and created_at < ?", Caller, Key, ExpiredBefore);
        session.QueueSqlCommand(
            $"insert into {table} (caller, key, request_hash, status, location, content_type, body, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            Caller, Key, RequestHash, (object?)Status ?? DBNull.Value, (object?)Location ?? DBNull.Value,
            (object?)ContentType ?? DBNull.Value, (object?)Body ?? DBNull.Value, ClaimedAt);
        Written = true;
    }

    private sealed class Exit : IDisposable
    {
        public void Dispose() => Running.Value = null;
    }
}

/// <summary>Adds the claim of the running request to the first session it saves.</summary>
public sealed class IdempotencyClaimListener(string table) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (IdempotencyClaim.Current is { Written: false } claim) claim.QueueInto(session, table);
        return Task.CompletedTask;
    }
}
