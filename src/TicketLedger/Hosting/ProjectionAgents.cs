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
        try
        {
            await UntilStoppedAsync(running, cancellation);
            await work();
        }
        finally
        {
            await RestartAsync(running);
            if (untilRunningAgain) await UntilRunningAgainAsync(running);
        }
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

    /// <summary>Polls the agents every node reports running until <paramref name="done"/>; false when the timeout passed first.</summary>
    private async Task<bool> UntilAsync(Func<HashSet<Uri>, bool> done, TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            while (!done((await runtime.Storage.Nodes.LoadAllNodesAsync(deadline.Token)).SelectMany(node => node.ActiveAgents).ToHashSet()))
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false;
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
