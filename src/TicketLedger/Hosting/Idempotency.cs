using Marten;
using System.Security.Cryptography;
using System.Text;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TicketLedger.Hosting;

/// <summary>
/// `Idempotency-Key` on every POST, whatever its area (docs/ticket-lifecycle.md). The key is claimed in the command's own
/// transaction, together with the outcome the client gets (<see cref="IdempotencyClaim"/>): it commits with the
/// command's events or vanishes with them, so a crash, a lost connection or a database outage never leaves a key
/// blocked, and a retry after any of them either replays the committed outcome or runs the command once. A repeat by
/// the same caller with the same method, path, query and body is answered with that outcome and runs nothing; the same
/// key with a different request is 422. A request that does not succeed commits nothing, so the key stays free for a
/// corrected retry. Keys are honoured for `Idempotency:RetentionHours` (24) and then deleted.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const string TableName = "idempotency_keys";
    public const int MaxKeyLength = 200;

    public static string QualifiedTableName(string schema) => $"{schema}.{TableName}";

    public static WebApplicationBuilder AddIdempotency(this WebApplicationBuilder builder)
    {
        var retention = TimeSpan.FromHours(builder.Configuration.GetValue(Settings.IdempotencyRetentionHours, 24.0));
        if (retention <= TimeSpan.Zero) throw new InvalidOperationException($"{Settings.IdempotencyRetentionHours} must be positive.");
        builder.Services.AddSingleton(new IdempotencyOptions(retention));
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddHostedService<IdempotencyCleanup>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Storage.ExtendedSchemaObjects.Add(Table(opts.DatabaseSchemaName));
            opts.Listeners.Add(new IdempotencyClaimListener(QualifiedTableName(opts.DatabaseSchemaName)));
        });
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

    /// <summary>
    /// Whose keys a key is one of, as the claim's caller column holds it: the caller in the request's office. One
    /// office's claim never answers another office's request, whether a multi-office key reuses a key there or two
    /// offices' keys share a name (their systems' own ids as keys may well collide). Claims in `Ledger:Office`, and on
    /// routes outside any office, keep the bare caller name they had before offices existed, so a retry sent across the
    /// upgrade still finds its claim.
    /// </summary>
    public static string Scope(string caller, Office? office, Offices offices) =>
        office is null || office.Code == offices.Home ? caller : $"{office.Code}/{caller}";

    public static string Fingerprint(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}

public sealed record IdempotencyOptions(TimeSpan Retention);
