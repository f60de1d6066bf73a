using JasperFx.Events.Projections;
using Marten;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace TicketLedger.Hosting;

/// <summary>
/// The agents running the async projections, wherever Wolverine placed them (docs/nodes.md). Nothing stops a running
/// shard from writing while another process rewrites what it reads or writes (a rebuild), so such work runs with the
/// agents paused across the cluster, and they are started again afterwards from where that work left them.
/// </summary>
public sealed class ProjectionAgents(IDocumentStore store, OfficeDatabases databases, IWolverineRuntime runtime, IEventSubscriptionAgentFamily agents)
{
    public async Task WhilePausedAsync(Func<Task> work, CancellationToken cancellation)
    {
        var running = await AgentsAsync();
        var pause = new AgentRestrictions();
        foreach (var agent in running) pause.PauseAgent(agent);
        await runtime.Agents.ApplyRestrictionsAsync(pause, cancellation);
        try
        {
            await work();
        }
        finally
        {
            // Restarting starts from the restrictions as stored: a fresh set would not know the agents were paused.
            var state = await runtime.Storage.Nodes.LoadNodeAgentStateAsync(CancellationToken.None);
            foreach (var agent in running) state.Restrictions.RestartAgent(agent);
            await runtime.Agents.ApplyRestrictionsAsync(state.Restrictions, CancellationToken.None);
        }
    }

    /// <summary>The agent of each async shard in each database (one office names its database).</summary>
    private async Task<List<Uri>> AgentsAsync()
    {
        var uris = new List<Uri>();
        foreach (var shard in ((StoreOptions)store.Options).Projections.AllShards().Select(s => s.Name))
        foreach (var database in databases.Names)
            if (await agents.FindAgentUriAsync(shard.Identity, databases.AnyOfficeIn(database).Code) is { } uri)
                uris.Add(uri);
        return uris;
    }
}
