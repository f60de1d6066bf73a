using JasperFx.Events.Projections;
using Marten;
using Wolverine;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace TicketLedger.Hosting;

/// <summary>
/// The agents running the async projections, wherever Wolverine placed them (docs/nodes.md). Nothing stops a running
/// shard from writing while another process rewrites what it reads or writes (a rebuild), so such work runs with the
/// agents paused across the cluster, and they are started again afterwards from where that work left them.
/// </summary>
public sealed class ProjectionAgents(
    IDocumentStore store, OfficeDatabases databases, IWolverineRuntime runtime, IEventSubscriptionAgentFamily agents, ILogger<ProjectionAgents> logger)
{
    /// <summary>How long the nodes get to stop the paused agents before the work would run beside them.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long the nodes get to start the agents again before the restart is asked for once more.</summary>
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(20);

    /// <param name="untilRunningAgain">
    /// Return only once every agent runs again on some node (a rebuild's caller then knows the projections move on); a
    /// restart not carried out in time is asked for once more, and a second miss is logged.
    /// </param>
    public async Task WhilePausedAsync(Func<Task> work, CancellationToken cancellation, bool untilRunningAgain = false)
    {
        var running = await AgentsAsync();
        var pause = new AgentRestrictions();
        foreach (var agent in running) pause.PauseAgent(agent);
        await runtime.Agents.ApplyRestrictionsAsync(pause, cancellation);
        var heldHere = await ReleaseLocallyAsync(running);
        try
        {
            await UntilStoppedAsync(running, cancellation);
            await work();
        }
        finally
        {
            await RestartAsync(running);
            // A node without a leader (solo) starts only what it is told to or finds stopped in its own list.
            if (Solo)
                foreach (var agent in heldHere) await runtime.Agents.StartLocallyAsync(agent);
            if (untilRunningAgain) await UntilRunningAgainAsync(running);
        }
    }

    /// <summary>
    /// A restriction alone does not hold an agent paused on this node: a solo node has no leader to carry it out, and a
    /// node's health check restarts any agent still in its list that it finds stopped without a failure, restrictions or
    /// not (Wolverine 6.62's NodeAgentController). So the agents held here are stopped and dropped from that list; the
    /// restart's assignment brings them back, or on a solo node this class does.
    /// </summary>
    private async Task<List<Uri>> ReleaseLocallyAsync(IEnumerable<Uri> agents)
    {
        var held = agents.Where(agent => runtime.Agents.TryFindActiveAgent<IAgent>(agent, out _)).ToList();
        foreach (var agent in held) await runtime.Agents.StopLocallyAsync(agent);
        return held;
    }

    /// <summary>Restarting starts from the restrictions as stored: a fresh set would not know the agents were paused.</summary>
    private async Task RestartAsync(IReadOnlyCollection<Uri> agents)
    {
        var state = await runtime.Storage.Nodes.LoadNodeAgentStateAsync(CancellationToken.None);
        foreach (var agent in agents) state.Restrictions.RestartAgent(agent);
        await runtime.Agents.ApplyRestrictionsAsync(state.Restrictions, CancellationToken.None);
    }

    private async Task UntilRunningAgainAsync(IReadOnlyCollection<Uri> agents)
    {
        for (var asked = 1; !await UntilAsync(active => agents.All(active.Contains), RestartTimeout, CancellationToken.None); asked++)
        {
            if (asked == 2)
            {
                logger.LogWarning("The projection agents {Agents} were not running {Seconds} s after their restart was asked for twice",
                    string.Join(", ", agents), 2 * RestartTimeout.TotalSeconds);
                return;
            }
            await RestartAsync(agents);
        }
    }

    /// <summary>
    /// A pause is a restriction the leader carries out on the node holding the agent, a moment later: work begun before
    /// that node has stopped it would race a running shard (which then stops on a progression it no longer finds).
    /// </summary>
    private async Task UntilStoppedAsync(IReadOnlyCollection<Uri> agents, CancellationToken cancellation)
    {
        if (!await UntilAsync(active => !agents.Any(active.Contains), StopTimeout, cancellation))
            throw new TimeoutException($"The projection agents were still running {StopTimeout.TotalSeconds:F0} s after they were paused.");
    }

    /// <summary>Polls the agents running on any node until <paramref name="done"/>; false when the timeout passed first.</summary>
    private Task<bool> UntilAsync(Func<HashSet<Uri>, bool> done, TimeSpan timeout, CancellationToken cancellation) =>
        UntilAsync(ActiveAgentsAsync, done, timeout, cancellation);

    /// <summary>The nodes of a cluster list their agents in Wolverine's node table; a solo node keeps its own to itself.</summary>
    private async Task<HashSet<Uri>> ActiveAgentsAsync(CancellationToken cancellation) => Solo
        ? runtime.Agents.AllRunningAgentUris().ToHashSet()
        : (await runtime.Storage.Nodes.LoadAllNodesAsync(cancellation)).SelectMany(node => node.ActiveAgents).ToHashSet();

    private bool Solo => runtime.Options.Durability.Mode == DurabilityMode.Solo;

    /// <summary>Reads <paramref name="probe"/> every 200 ms until <paramref name="done"/>; false when the timeout passed first.</summary>
    private static async Task<bool> UntilAsync<T>(Func<CancellationToken, Task<T>> probe, Func<T, bool> done, TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            while (!done(await probe(deadline.Token)))
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// The agent of each async shard in each database. Wolverine finds a database's agent by one of its offices only
    /// where the store spreads offices over databases; a store of one database names its agents without them, and a
    /// lookup by office finds nothing there (CI: every pause in that layout paused nothing, and the rebuild ran beside
    /// the running ledger). An agent not found is an error, never a pause of nothing.
    /// </summary>
    private async Task<List<Uri>> AgentsAsync()
    {
        var uris = new List<Uri>();
        foreach (var shard in ((StoreOptions)store.Options).Projections.AllShards().Select(s => s.Name))
        foreach (var database in databases.Names)
        {
            var uri = databases.Names.Count == 1
                ? await agents.FindAgentUriAsync(shard.Identity, null)
                : await agents.FindAgentUriAsync(shard.Identity, databases.AnyOfficeIn(database).Code);
            uris.Add(uri ?? throw new InvalidOperationException($"Wolverine knows no agent for the projection shard {shard.Identity} in database {database}."));
        }
        return uris;
    }
}
