using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace TicketLedger.Hosting;

/// <summary>
/// Ready: the databases holding offices answer and our event store schema exists in them. Each database is reported
/// with its offices. With several, one lost database makes the node degraded, not unready: every node lost it alike,
/// and taking them all out of the load balancer would also stop the offices on the others (docs/nodes.md).
/// </summary>
public sealed class DatabasesReadyCheck(IDocumentStore store, OfficeDatabases databases) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = await Task.WhenAll(databases.Names.Select(async name => (Name: name, Problem: await ProblemOf(name, cancellationToken))));
        var data = states.ToDictionary(s => s.Name, s => (object)new DatabaseState(
            s.Problem is null ? "Healthy" : "Unhealthy", databases.OfficesIn(s.Name).Select(o => o.Code).ToList(), s.Problem));
        var failed = states.Where(s => s.Problem is not null).ToList();
        if (failed.Count == 0) return HealthCheckResult.Healthy(data: data);
        var description = string.Join("; ", failed.Select(f => $"database {f.Name}: {f.Problem}"));
        return failed.Count == states.Length ? HealthCheckResult.Unhealthy(description, data: data) : HealthCheckResult.Degraded(description, data: data);
    }

    private async Task<string?> ProblemOf(string database, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var connection = (await databases.DatabaseAsync(database)).CreateConnection();
            await connection.OpenAsync(timeout.Token);
            await using var command = new NpgsqlCommand("select to_regclass(@table) is not null", connection);
            command.Parameters.AddWithValue("table", $"{store.Options.Events.DatabaseSchemaName}.mt_events");
            return await command.ExecuteScalarAsync(timeout.Token) is true ? null : "the event store schema has not been applied";
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "PostgreSQL is not reachable: " + e.Message;
        }
    }
}

public sealed record DatabaseState(string Status, IReadOnlyList<string> Offices, string? Error);

public static class HealthHosting
{
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabasesReadyCheck>("databases", tags: ["ready"]);
        return builder;
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteReadiness,
        }).AllowAnonymous();
    }

    /// <summary>Each database's state and offices as JSON, so an operator (or a load balancer's log) sees which one failed.</summary>
    private static Task WriteReadiness(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var databases = report.Entries.Values.SelectMany(e => e.Data).Select(d => new { database = d.Key, state = d.Value as DatabaseState })
            .Select(d => new { d.database, status = d.state?.Status, offices = d.state?.Offices, error = d.state?.Error });
        return context.Response.WriteAsJsonAsync(new { status = report.Status.ToString(), databases });
    }
}
