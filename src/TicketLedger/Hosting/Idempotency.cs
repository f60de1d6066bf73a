using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TicketLedger.Hosting;

/// <summary>
/// `Idempotency-Key` on every POST, whatever its area. The first request with a key claims it (a row keyed by caller
/// and key, inserted before the request runs, so a concurrent duplicate finds the claim and gets 409 instead of
/// running too) and, when it succeeds, stores its outcome: status, Location, content type and body. A repeat by the same
/// caller with the same method, path, query and body is answered with that outcome and runs nothing; the same key
/// with a different request is 422. A request that does not succeed (not 2xx) gives its claim back, so the key means
/// "this succeeded once" and a corrected retry may use it. Keys are honoured for `Idempotency:RetentionHours` (24)
/// and then deleted.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const string TableName = "idempotency_keys";
    public const int MaxKeyLength = 200;

    public static WebApplicationBuilder AddIdempotency(this WebApplicationBuilder builder)
    {
        var retention = TimeSpan.FromHours(builder.Configuration.GetValue(Settings.IdempotencyRetentionHours, 24.0));
        if (retention <= TimeSpan.Zero) throw new InvalidOperationException($"{Settings.IdempotencyRetentionHours} must be positive.");
        builder.Services.AddSingleton(new IdempotencyOptions(retention));
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddHostedService<IdempotencyCleanup>();
        builder.Services.ConfigureMarten(opts => opts.Storage.ExtendedSchemaObjects.Add(Table(opts.DatabaseSchemaName)));
        return builder;
    }

    private static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("caller").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<string>("request_hash").NotNull();
        table.AddColumn<int>("status");
        table.AddColumn<string>("location");
        table.AddColumn<string>("content_type");
        table.AddColumn("body", "bytea");
        table.AddColumn<DateTimeOffset>("created_at").NotNull();
        return table;
    }

    /// <summary>After authorization: a caller that may not POST never claims a key.</summary>
    public static void UseIdempotency(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(Header, out var values)
            || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }
        await context.RequestServices.GetRequiredService<IdempotencyStore>().RunOnceAsync(context, values.ToString(), next);
    });

    public static string Fingerprint(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}

public sealed record IdempotencyOptions(TimeSpan Retention);

/// <summary>
/// Each statement is its own short transaction on a pooled connection that is returned at once, never held while the
/// request runs (that doubled the connections a request takes from the pool). Claim, record and release commit
/// asynchronously (<c>synchronous_commit = off</c>: no WAL flush of their own, a round trip instead of an fsync each).
/// WAL is flushed in order, so the request's own synchronous commit makes its earlier claim durable; what a crash can
/// lose is only the claims, outcomes and releases of the last moments before it (at most three `wal_writer_delay`s,
/// 600 ms by default). A lost outcome leaves its durable claim behind, and a retry of that request is then answered 409
/// "still being processed" until the key expires, never run twice; a lost claim or release belongs to a request that
/// committed nothing durable, so its retry runs.
/// </summary>
public sealed class IdempotencyStore(IDocumentStore store, IdempotencyOptions options, TimeProvider clock)
{
    private string Table => $"{store.Options.DatabaseSchemaName}.{Idempotency.TableName}";

    public async Task RunOnceAsync(HttpContext context, string key, RequestDelegate next)
    {
        if (key.Length is 0 or > Idempotency.MaxKeyLength)
        {
            await Problems.Write(context, 400, "Bad Request", $"{Idempotency.Header} must be 1 to {Idempotency.MaxKeyLength} characters.");
            return;
        }
        var caller = context.User.Identity!.Name ?? "";
        var body = await ReadBodyAsync(context.Request);
        var fingerprint = Idempotency.Fingerprint(context.Request, body);
        var ct = context.RequestAborted;

        if (!await TryClaimAsync(caller, key, fingerprint, ct))
        {
            await AnswerRepeatAsync(context, caller, key, fingerprint, ct);
            return;
        }

        var original = context.Response.Body;
        await using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        catch
        {
            await ReleaseAsync(caller, key, CancellationToken.None);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.Response.StatusCode is >= 200 and < 300)
            await RecordAsync(caller, key, context.Response, captured.ToArray(), CancellationToken.None);
        else
            await ReleaseAsync(caller, key, CancellationToken.None);
        captured.Position = 0;
        await captured.CopyToAsync(original, ct);
    }

    /// <summary>Deletes keys past retention; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"delete from {Table} where created_at < @cutoff", connection);
        command.Parameters.AddWithValue("cutoff", clock.GetUtcNow() - options.Retention);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>
    /// One round trip: a batch is one implicit transaction, so the local setting turns off the flush of this
    /// statement's commit only.
    /// </summary>
    private async Task<int> WriteAsync(NpgsqlBatchCommand statement, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select set_config('synchronous_commit', 'off', true)"));
        batch.BatchCommands.Add(statement);
        await batch.ExecuteNonQueryAsync(ct);
        return statement.RecordsAffected;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return buffer.ToArray();
    }

    /// <summary>The insert is the arbiter: of two concurrent requests with one key, exactly one inserts. An expired claim is taken over.</summary>
    private async Task<bool> TryClaimAsync(string caller, string key, string fingerprint, CancellationToken ct)
    {
        var statement = new NpgsqlBatchCommand(
            $"insert into {Table} as k (caller, key, request_hash, created_at) values (@caller, @key, @hash, @now) " +
            "on conflict (caller, key) do update set request_hash = excluded.request_hash, created_at = excluded.created_at, " +
            "status = null, location = null, content_type = null, body = null where k.created_at < @cutoff");
        statement.Parameters.AddWithValue("caller", caller);
        statement.Parameters.AddWithValue("key", key);
        statement.Parameters.AddWithValue("hash", fingerprint);
        var now = clock.GetUtcNow();
        statement.Parameters.AddWithValue("now", now);
        statement.Parameters.AddWithValue("cutoff", now - options.Retention);
        return await WriteAsync(statement, ct) == 1;
    }

    private async Task AnswerRepeatAsync(HttpContext context, string caller, string key, string fingerprint, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select request_hash, status, location, content_type, body from {Table} where caller = @caller and key = @key", connection);
        command.Parameters.AddWithValue("caller", caller);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            // Released between our insert attempt and this read: the first request failed, so this one may ask again.
            await Problems.Write(context, 409, "Conflict", "A request with this Idempotency-Key just failed; send it again.");
            return;
        }
        if (reader.GetString(0) != fingerprint)
        {
            await Problems.Write(context, 422, "Unprocessable Content",
                "This Idempotency-Key was already used for a different request (method, path or body); use a new key.");
            return;
        }
        if (reader.IsDBNull(1))
        {
            context.Response.Headers.RetryAfter = "1";
            await Problems.Write(context, 409, "Conflict", "A request with this Idempotency-Key is still being processed; retry shortly.");
            return;
        }
        context.Response.StatusCode = reader.GetInt32(1);
        if (!reader.IsDBNull(2)) context.Response.Headers.Location = reader.GetString(2);
        if (!reader.IsDBNull(3)) context.Response.ContentType = reader.GetString(3);
        context.Response.Headers[Idempotency.ReplayedHeader] = "true";
        if (!reader.IsDBNull(4)) await context.Response.Body.WriteAsync(reader.GetFieldValue<byte[]>(4), ct);
    }

    private async Task RecordAsync(string caller, string key, HttpResponse response, byte[] body, CancellationToken ct)
    {
        var statement = new NpgsqlBatchCommand(
            $"update {Table} set status = @status, location = @location, content_type = @type, body = @body where caller = @caller and key = @key");
        statement.Parameters.AddWithValue("caller", caller);
        statement.Parameters.AddWithValue("key", key);
        statement.Parameters.AddWithValue("status", response.StatusCode);
        var location = response.Headers.Location.ToString();
        statement.Parameters.AddWithValue("location", location.Length > 0 ? location : DBNull.Value);
        statement.Parameters.AddWithValue("type", (object?)response.ContentType ?? DBNull.Value);
        statement.Parameters.AddWithValue("body", body);
        await WriteAsync(statement, ct);
    }

    private async Task ReleaseAsync(string caller, string key, CancellationToken ct)
    {
        var statement = new NpgsqlBatchCommand($"delete from {Table} where caller = @caller and key = @key and status is null");
        statement.Parameters.AddWithValue("caller", caller);
        statement.Parameters.AddWithValue("key", key);
        await WriteAsync(statement, ct);
    }
}

/// <summary>Keeps the key table bounded; lookups ignore expired keys anyway, so the hourly pace only bounds its size.</summary>
public sealed class IdempotencyCleanup(IdempotencyStore keys, ILogger<IdempotencyCleanup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await keys.PurgeExpiredAsync(stoppingToken);
                if (purged > 0) logger.LogInformation("Deleted {Count} expired idempotency keys", purged);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not delete expired idempotency keys; will try again");
            }
        }
    }
}
