using System.Text.Json;
using Npgsql;

namespace TicketLedger.Benchmarks;

/// <summary>
/// The two-row transaction behind a minimal-API endpoint with plain Npgsql: what HTTP + JSON + a pooled connection
/// cost on top of pgbench, with no framework. Lifecycle commands of the service are compared against this.
/// </summary>
public static class RawEndpoint
{
    public sealed record Respond(string? Message);

    public static async Task<int> Serve(BenchOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.Services.AddSingleton(NpgsqlDataSource.Create(options.ConnectionString));
        var app = builder.Build();

        var upsert = string.Format(TwoRowTransaction.UpsertView, "$1", "$2");
        var insert = string.Format(TwoRowTransaction.InsertEvent, "$1", "$2", "$3");

        app.MapGet("/health", () => Results.Ok());
        app.MapPost("/raw/tickets/{id:guid}/respond", async (Guid id, HttpRequest request, NpgsqlDataSource data) =>
        {
            var command = await JsonSerializer.DeserializeAsync<Respond>(request.Body, JsonSerializerOptions.Web);
            if (string.IsNullOrWhiteSpace(command?.Message)) return Results.BadRequest();
            var json = JsonSerializer.Serialize(new { ticketId = id, message = command.Message, occurredAt = DateTimeOffset.UtcNow });

            await using var connection = await data.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using var bump = new NpgsqlCommand(upsert, connection, tx)
            {
                Parameters = { new() { Value = id }, new() { Value = json, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb } },
            };
            var version = (int)(await bump.ExecuteScalarAsync())!;
            await using var append = new NpgsqlCommand(insert, connection, tx)
            {
                Parameters = { new() { Value = id }, new() { Value = version }, new() { Value = json, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb } },
            };
            await append.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            return Results.NoContent();
        });
        await app.RunAsync();
        return 0;
    }
}
