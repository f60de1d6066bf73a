using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace TicketLedger.Hosting;

/// <summary>Live: the process answers. Ready: PostgreSQL answers and our event store schema exists.</summary>
public sealed class DatabaseReadyCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("select to_regclass(@table) is not null", connection);
            command.Parameters.AddWithValue("table", $"{store.Options.Events.DatabaseSchemaName}.mt_events");
            return await command.ExecuteScalarAsync(cancellationToken) is true
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The event store schema has not been applied");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable: " + e.Message);
        }
    }
}

public static class HealthHosting
{
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        return builder;
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
    }
}
