using System.Diagnostics;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Authorization;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

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
    /// The async projections run on whichever node Wolverine placed them (docs/nodes.md), and nothing stops a running
    /// shard from writing while another process rebuilds it. So their agents are paused across the cluster first, each
    /// database is rebuilt by a daemon of this request's own, and the agents are started again afterwards, from where
    /// the rebuild left them, also when it failed or the caller went away.
    /// </summary>
    [NotTenanted]
    [WolverinePost("/api/admin/projections/rebuild", OperationId = "RebuildProjections", Summary = "Rebuild every projection from the events")]
    [Tags("admin")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<ProjectionsRebuilt> Post(
        IDocumentStore store, OfficeDatabases databases, IWolverineRuntime runtime, IEventSubscriptionAgentFamily agents, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var projections = ((StoreOptions)store.Options).Projections;
        var names = projections.All.Select(p => p.Name).ToList();
        var running = await AgentsOf(projections.AllShards().Select(s => s.Name), databases, agents);

        var pause = new AgentRestrictions();
        foreach (var agent in running) pause.PauseAgent(agent);
        await runtime.Agents.ApplyRestrictionsAsync(pause, cancellation);
        try
        {
            foreach (var database in databases.Names)
            {
                // A daemon of the database's own offices: the office's database, every tenant in it.
                using var daemon = await store.BuildProjectionDaemonAsync(databases.AnyOfficeIn(database).Code);
                foreach (var name in names) await daemon.RebuildProjectionAsync(name, ShardTimeout, cancellation);
            }
        }
        finally
        {
            // Restarting starts from the restrictions as stored: a fresh set would not know the agents were paused.
            var state = await runtime.Storage.Nodes.LoadNodeAgentStateAsync(CancellationToken.None);
            foreach (var agent in running) state.Restrictions.RestartAgent(agent);
            await runtime.Agents.ApplyRestrictionsAsync(state.Restrictions, CancellationToken.None);
        }
        return new ProjectionsRebuilt(names, clock.ElapsedMilliseconds);
    }

    /// <summary>The agent of each async shard in each database (one office names its database).</summary>
    private static async Task<List<Uri>> AgentsOf(IEnumerable<ShardName> shards, OfficeDatabases databases, IEventSubscriptionAgentFamily agents)
    {
        var uris = new List<Uri>();
        foreach (var shard in shards)
        foreach (var database in databases.Names)
            if (await agents.FindAgentUriAsync(shard.Identity, databases.AnyOfficeIn(database).Code) is { } uri)
                uris.Add(uri);
        return uris;
    }
}
