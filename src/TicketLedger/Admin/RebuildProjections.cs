using System.Diagnostics;
using Marten;
using Microsoft.AspNetCore.Authorization;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Admin;

public sealed record ProjectionsRebuilt(IReadOnlyList<string> Projections, long ElapsedMilliseconds);

/// <summary>
/// Replays every event through every projection (ticket and subject views, the ledger), as `projections rebuild`
/// does from the command line: the read side is only ever a function of the events.
/// </summary>
public static class RebuildProjectionsEndpoint
{
    private static readonly TimeSpan ShardTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The async projections run on whichever node Wolverine placed them (docs/nodes.md): they are paused across the
    /// cluster while each database is rebuilt by a daemon of this request's own, and started again afterwards, from where
    /// the rebuild left them, also when it failed or the caller went away; the answer comes once they run again.
    /// </summary>
    [NotTenanted]
    [WolverinePost("/api/admin/projections/rebuild", OperationId = "RebuildProjections", Summary = "Rebuild every projection from the events")]
    [Tags("admin")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<ProjectionsRebuilt> Post(IDocumentStore store, OfficeDatabases databases, ProjectionAgents agents, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var names = ((StoreOptions)store.Options).Projections.All.Select(p => p.Name).ToList();
        await agents.WhilePausedAsync(async () =>
        {
            foreach (var database in databases.Names)
            {
                // A daemon of the database's own offices: the office's database, every tenant in it.
                using var daemon = await store.BuildProjectionDaemonAsync(databases.AnyOfficeIn(database).Code);
                foreach (var name in names) await daemon.RebuildProjectionAsync(name, ShardTimeout, cancellation);
            }
        }, cancellation, untilRunningAgain: true);
        return new ProjectionsRebuilt(names, clock.ElapsedMilliseconds);
    }
}
