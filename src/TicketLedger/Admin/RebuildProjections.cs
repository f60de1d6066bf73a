using System.Diagnostics;
using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Authorization;
using TicketLedger.Hosting;
using Wolverine.Http;
using MartenCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace TicketLedger.Admin;

public sealed record ProjectionsRebuilt(IReadOnlyList<string> Projections, long ElapsedMilliseconds);

/// <summary>
/// Replays every event through every projection (ticket and subject views, the ledger), as `projections rebuild`
/// does from the command line: the read side is only ever a function of the events.
/// </summary>
public static class RebuildProjectionsEndpoint
{
    [NotTenanted]
    [WolverinePost("/api/admin/projections/rebuild", OperationId = "RebuildProjections", Summary = "Rebuild every projection from the events")]
    [Tags("admin")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<ProjectionsRebuilt> Post(IDocumentStore store, MartenCoordinator coordinator, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var names = ((StoreOptions)store.Options).Projections.All.Select(p => p.Name).ToList();
        // Each database has its own daemon over its own events (docs/nodes.md).
        foreach (var daemon in await coordinator.AllDaemonsAsync())
        foreach (var name in names)
            await RebuildAsync(daemon, name, cancellation);
        return new ProjectionsRebuilt(names, clock.ElapsedMilliseconds);
    }

    /// <summary>
    /// The daemon's rebuild hard-stops the projection's running shards and leaves them registered as stopped, while
    /// the coordinator only ever starts shards it has none registered for: an async projection rebuilt in a running
    /// service would never move again. So the shards that were running are started again afterwards, continuing from
    /// where the rebuild left them; also when the rebuild fails or the caller goes away, as a torn-down projection
    /// then catches up from its own progress.
    /// </summary>
    private static async Task RebuildAsync(IProjectionDaemon daemon, string projection, CancellationToken cancellation)
    {
        var running = daemon.CurrentAgents()
            .Where(agent => agent.Name.Name == projection && agent.Status == AgentStatus.Running)
            .Select(agent => agent.Name)
            .ToList();
        try
        {
            await daemon.RebuildProjectionAsync(projection, cancellation);
        }
        finally
        {
            foreach (var shard in running) await daemon.StartAgentAsync(shard, CancellationToken.None);
        }
    }
}
