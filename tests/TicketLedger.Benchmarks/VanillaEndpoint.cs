using JasperFx.CodeGeneration;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace TicketLedger.Benchmarks;

/// <summary>
/// Marten 9 + Wolverine 6 out of the box, with nothing of ours: an HTTP endpoint appends one event to an existing
/// stream through the aggregate handler workflow, with an inline snapshot and Wolverine's transactional middleware.
/// No validation, keys, idempotency, hash chain, outbox messages or extra projections.
/// </summary>
public static class VanillaEndpoint
{
    public const string Schema = "vanilla";

    public static async Task<int> Serve(BenchOptions options)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.Services.AddMarten(opts =>
            {
                opts.Connection(options.ConnectionString);
                opts.DatabaseSchemaName = Schema;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                opts.Events.StreamIdentity = StreamIdentity.AsGuid;
                opts.Projections.Snapshot<VanillaTicket>(SnapshotLifecycle.Inline);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine();
        builder.Services.AddWolverineHttp();
        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(VanillaEndpoint).Assembly;
            opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
            opts.Policies.AutoApplyTransactions();
        });
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok());
        app.MapWolverineEndpoints();
        await app.RunAsync();
        return 0;
    }
}

public sealed record VanillaRaised(Guid TicketId, string Title);
public sealed record VanillaResponded(Guid TicketId, string Message, DateTimeOffset OccurredAt);
public sealed record VanillaRespond(string Message);

public sealed class VanillaTicket
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Title { get; set; } = "";
    public int Responses { get; set; }
    public DateTimeOffset? RespondedAt { get; set; }

    public static VanillaTicket Create(VanillaRaised e) => new() { Id = e.TicketId, Title = e.Title };
    public void Apply(VanillaResponded e) { Responses++; RespondedAt = e.OccurredAt; }
}

public static class VanillaTicketEndpoints
{
    [WolverinePost("/vanilla/tickets")]
    public static (CreationResponse<Guid>, IStartStream) Raise()
    {
        var id = Guid.CreateVersion7();
        return (new CreationResponse<Guid>($"/vanilla/tickets/{id}", id), MartenOps.StartStream<VanillaTicket>(id, new VanillaRaised(id, "bench")));
    }

    [WolverinePost("/vanilla/tickets/{id}/respond"), EmptyResponse]
    public static VanillaResponded Respond(VanillaRespond command, [WriteAggregate] VanillaTicket ticket) =>
        new(ticket.Id, command.Message, DateTimeOffset.UtcNow);
}
