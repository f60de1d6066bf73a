using Marten;
using Npgsql;

namespace TicketLedger.Hosting;

/// <summary>
/// Reads the committed claims and runs a request under its key. The request's claim is written by
/// <see cref="IdempotencyClaimListener"/> in the command's transaction; this class writes nothing while a request runs,
/// except the outcome of an endpoint whose outcome is only known after it committed (neither <see cref="Created"/> nor
/// `[EmptyResponse]`), which is recorded right after.
/// The claims of an office live in its database, beside the command they guard.
/// </summary>
public sealed class IdempotencyStore(
    IDocumentStore store, OfficeDatabases databases, IdempotencyOptions options, Offices offices, TimeProvider clock, ILogger<IdempotencyStore> logger)
{
    private string Table => Idempotency.QualifiedTableName(store.Options.DatabaseSchemaName);

    public async Task RunOnceAsync(HttpContext context, string key, RequestDelegate next)
    {
        if (key.Length is 0 or > Idempotency.MaxKeyLength)
        {
            await Problems.Write(context, 400, "Bad Request", $"{Idempotency.Header} must be 1 to {Idempotency.MaxKeyLength} characters.");
            return;
        }
        var office = CurrentOffice.Of(context);
        var caller = Idempotency.Scope(context.User.Identity!.Name ?? "", office, offices);
        var database = office?.Database ?? databases.Default;
        var body = await ReadBodyAsync(context.Request);
        var fingerprint = Idempotency.Fingerprint(context.Request, body);
        var ct = context.RequestAborted;
        var now = clock.GetUtcNow();

        var foundInCommit = RepeatsFoundInCommitAttribute.Of(context);
        if (!foundInCommit && await FindAsync(database, caller, key, now, ct) is { } earlier)
        {
            await AnswerRepeatAsync(context, earlier, fingerprint, ct);
            return;
        }

        var claim = new IdempotencyClaim(caller, key, fingerprint, now, now - options.Retention, IdempotencyClaim.IsEmptyResponse(context));
        var original = context.Response.Body;
        await using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            using (claim.Enter()) await next(context);
        }
        catch (RepeatedRequest repeat)
        {
            context.Response.Body = original;
            Restart(context.Response);
            await AnswerRepeatAsync(context, repeat.Earlier, fingerprint, ct);
            return;
        }
        catch (Exception e) when (IsKeyTakenMeanwhile(e))
        {
            // A concurrent request with the same key committed first; this one rolled back. Answer as a repeat.
            context.Response.Body = original;
            Restart(context.Response);
            if (await FindAsync(database, caller, key, now, CancellationToken.None) is { } winner) await AnswerRepeatAsync(context, winner, fingerprint, ct);
            else await Problems.Write(context, 409, "Conflict", "A request with this Idempotency-Key was just processed; send it again.");
            return;
        }
        finally
        {
            context.Response.Body = original;
        }

        // A repeat may be refused by the state its first run left (a resolve of the resolved ticket), or by a rule its
        // different request breaks, before it reaches the commit that would have found it: look it up before refusing.
        if (foundInCommit && context.Response.StatusCode >= 400 && await FindAsync(database, caller, key, now, ct) is { } refused)
        {
            Restart(context.Response);
            await AnswerRepeatAsync(context, refused, fingerprint, ct);
            return;
        }
        if (claim is { Written: true, Status: null } && context.Response.StatusCode is >= 200 and < 300)
            await RecordLateOutcomeAsync(database, claim, context.Response, captured.ToArray());
        captured.Position = 0;
        await captured.CopyToAsync(original, ct);
    }

    /// <summary>Deletes keys past retention; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct)
    {
        var purged = 0;
        foreach (var database in databases.Names)
        {
            await using var connection = await OpenAsync(database, ct);
            await using var command = new NpgsqlCommand($"delete from {Table} where created_at < @cutoff", connection);
            command.Parameters.AddWithValue("cutoff", clock.GetUtcNow() - options.Retention);
            purged += await command.ExecuteNonQueryAsync(ct);
        }
        return purged;
    }

    /// <summary>Drops what the request's own run answered, keeping the correlation id the client is to see.</summary>
    private static void Restart(HttpResponse response)
    {
        var correlationId = response.Headers[Correlation.Header];
        response.Clear();
        response.Headers[Correlation.Header] = correlationId;
    }

    private static bool IsKeyTakenMeanwhile(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: Idempotency.TableName }) return true;
        return false;
    }

    private async Task<NpgsqlConnection> OpenAsync(string database, CancellationToken ct)
    {
        var connection = (await databases.DatabaseAsync(database)).CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return buffer.ToArray();
    }

    private async Task<IdempotencyOutcome?> FindAsync(string database, string caller, string key, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await OpenAsync(database, ct);
        await using var command = new NpgsqlCommand(IdempotencyOutcome.Lookup(Table), connection);
        command.Parameters.AddRange(IdempotencyOutcome.LookupParameters(caller, key, now - options.Retention));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? IdempotencyOutcome.Read(reader, 0) : null;
    }

    private static async Task AnswerRepeatAsync(HttpContext context, IdempotencyOutcome earlier, string fingerprint, CancellationToken ct)
    {
        if (earlier.RequestHash != fingerprint)
        {
            await Problems.Write(context, 422, "Unprocessable Content",
                "This Idempotency-Key was already used for a different request (method, path or body); use a new key.");
            return;
        }
        if (earlier.Status is not { } status)
        {
            // Committed; the outcome of such an endpoint is recorded a moment after its commit.
            context.Response.Headers.RetryAfter = "1";
            await Problems.Write(context, 409, "Conflict", "A request with this Idempotency-Key has just been processed; retry shortly for its outcome.");
            return;
        }
        context.Response.StatusCode = status;
        if (earlier.Location is not null) context.Response.Headers.Location = earlier.Location;
        if (earlier.ContentType is not null) context.Response.ContentType = earlier.ContentType;
        context.Response.Headers[Idempotency.ReplayedHeader] = "true";
        if (earlier.Body is not null) await context.Response.Body.WriteAsync(earlier.Body, ct);
    }

    private async Task RecordLateOutcomeAsync(string database, IdempotencyClaim claim, HttpResponse response, byte[] body)
    {
        try
        {
            await using var connection = await OpenAsync(database, CancellationToken.None);
            await using var command = new NpgsqlCommand(
                $"update {Table} set status = @status, location = @location, content_type = @type, body = @body where caller = @caller and key = @key",
                connection);
            command.Parameters.AddWithValue("caller", claim.Caller);
            command.Parameters.AddWithValue("key", claim.Key);
            command.Parameters.AddWithValue("status", response.StatusCode);
            var location = response.Headers.Location.ToString();
            command.Parameters.AddWithValue("location", location.Length > 0 ? location : DBNull.Value);
            command.Parameters.AddWithValue("type", (object?)response.ContentType ?? DBNull.Value);
            command.Parameters.AddWithValue("body", body);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            // The command committed; its retry is answered 409 until the key expires, never run twice.
            logger.LogWarning(e, "Could not record the outcome of Idempotency-Key {Key} of {Caller}", claim.Key, claim.Caller);
        }
    }
}

/// <summary>What a claim recorded: the request's fingerprint and, once known, the outcome its repeats are answered with.</summary>
public sealed record IdempotencyOutcome(string RequestHash, int? Status, string? Location, string? ContentType, byte[]? Body)
{
    public const string Columns = "request_hash, status, location, content_type, body";

    /// <summary>
    /// The outcome a claim of the caller's key recorded, unless it has expired: one primary-key lookup, its parameters
    /// from <see cref="LookupParameters"/>.
    /// </summary>
    public static string Lookup(string table) => $"select {Columns} from {table} where caller = $1 and key = $2 and created_at >= $3";

    /// <param name="expiredBefore">Claims made before it no longer count.</param>
    public static NpgsqlParameter[] LookupParameters(string caller, string key, DateTimeOffset expiredBefore) =>
        [new() { Value = caller }, new() { Value = key }, new() { Value = expiredBefore }];

    /// <summary>The <see cref="Columns"/>, from <paramref name="first"/> on.</summary>
    public static IdempotencyOutcome Read(NpgsqlDataReader reader, int first) => new(
        reader.GetString(first), reader.IsDBNull(first + 1) ? null : reader.GetInt32(first + 1),
        reader.IsDBNull(first + 2) ? null : reader.GetString(first + 2), reader.IsDBNull(first + 3) ? null : reader.GetString(first + 3),
        reader.IsDBNull(first + 4) ? null : reader.GetFieldValue<byte[]>(first + 4));
}

/// <summary>
/// Marks an endpoint that looks its request's Idempotency-Key up itself, inside the transaction that commits it (the
/// ticket commands' groups, <see cref="Tickets.TicketGroupCommit"/>), instead of on a connection of its own before it
/// runs. A repeat it finds ends the request with <see cref="RepeatedRequest"/>, answered as any repeat; a request the
/// endpoint refuses (4xx) looks its key up before the refusal is sent, so a repeat is still answered as one.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RepeatsFoundInCommitAttribute : Attribute
{
    public static bool Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RepeatsFoundInCommitAttribute>() is not null;
}

public sealed class RepeatedRequest(IdempotencyOutcome earlier) : Exception("The request repeats an earlier one under its Idempotency-Key.")
{
    public IdempotencyOutcome Earlier { get; } = earlier;
}
