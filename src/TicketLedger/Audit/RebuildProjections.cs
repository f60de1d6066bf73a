using System.Diagnostics;
using Marten;
using Microsoft.AspNetCore.Authorization;
using TicketLedger.Hosting;
using Wolverine.Http;
using MartenCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace TicketLedger.Audit;

public sealed record ProjectionsRebuilt(IReadOnlyList<string> Projections, long ElapsedMilliseconds);

/// <summary>
/// Replays every event through every projection (ticket and subject views, the ledger), as `projections rebuild`
/// does from the command line: the read side is only ever a function of the events.
/// </summary>
public static class RebuildProjectionsEndpoint
{
    [WolverinePost("/api/admin/projections/rebuild", OperationId = "RebuildProjections", Summary = "Rebuild every projection from the events")]
    [Tags("admin")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<ProjectionsRebuilt> Post(IDocumentStore store, MartenCoordinator coordinator, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var names = ((StoreOptions)store.Options).Projections.All.Select(p => p.Name).ToList();
        var daemon = coordinator.DaemonForMainDatabase();
        foreach (var name in names) await daemon.RebuildProjectionAsync(name, cancellation);
        return new ProjectionsRebuilt(names, clock.ElapsedMilliseconds);
    }
}
