using System.Diagnostics;
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

    /// <summary>Longer than a page of <see cref="ProjectionPages.BatchSize"/> events takes to apply and commit here.</summary>
    public static readonly TimeSpan RebuildQuietWindow = TimeSpan.FromSeconds(2);

    /// <summary>How long the nodes get to start the agents again before the restart is asked for once more.</summary>
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(20);

    /// <param name="untilRunningAgain">
    /// Return only once every agent runs again on some node (a rebuild's caller then knows the projections move on); a
    /// restart not carried out in time is asked for once more, and a second miss is logged.
    /// </param>
    /// <param name="quietFor">
    /// How long the paused shards' progression must stay still before the work starts (see
    /// <see cref="UntilProgressionQuietAsync"/>); a rebuild, which rewrites that progression, asks for
    /// <see cref="RebuildQuietWindow"/>.
    /// </param>
    public async Task WhilePausedAsync(Func<Task> work, CancellationToken cancellation, bool untilRunningAgain = false, TimeSpan? quietFor = null)
    {
        var running = await AgentsAsync();
        var pause = new AgentRestrictions();
        foreach (var agent in running) pause.PauseAgent(agent);
        await runtime.Agents.ApplyRestrictionsAsync(pause, cancellation);
        try
        {
            await UntilStoppedAsync(running, cancellation);
            if (quietFor is { } window) await UntilProgressionQuietAsync(window, cancellation);
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

    /// <summary>
    /// A node lists its agent as stopped before the page the shard was applying has committed. That page's progress,
    /// written after a rebuild has reset the shard's progression, fails as out of order and leaves the agent wedged on
    /// that node, listed as running but applying nothing (three-node test, 1 run in 5 under load). So the work waits
    /// until no async shard's progression has moved for the window.
    /// </summary>
    private async Task UntilProgressionQuietAsync(TimeSpan window, CancellationToken cancellation)
    {
        IReadOnlyList<string> seen = [];
        var quiet = Stopwatch.StartNew();
        bool StillFor(IReadOnlyList<string> now)
        {
            if (!now.SequenceEqual(seen)) (seen, quiet) = (now, Stopwatch.StartNew());
            return quiet.Elapsed >= window;
        }
        if (!await UntilAsync(ProgressionAsync, StillFor, StopTimeout, cancellation))
            throw new TimeoutException($"The paused projections were still writing progress {StopTimeout.TotalSeconds:F0} s after they were stopped.");
    }

    /// <summary>Every async shard's progress in every database; the high-water mark moves with appends and is left out.</summary>
    private async Task<IReadOnlyList<string>> ProgressionAsync(CancellationToken cancellation)
    {
        var rows = new List<string>();
        foreach (var database in databases.Names)
        {
            await using var session = store.QuerySession(databases.AnyOfficeIn(database).Code);
            rows.AddRange(await session.AdvancedSql.QueryAsync<string>(
                $"select name || ':' || last_seq_id from {store.Options.Events.DatabaseSchemaName}.mt_event_progression where name <> 'HighWaterMark' order by name",
                cancellation));
        }
        return rows;
    }

    /// <summary>Polls the agents every node reports running until <paramref name="done"/>; false when the timeout passed first.</summary>
    private Task<bool> UntilAsync(Func<HashSet<Uri>, bool> done, TimeSpan timeout, CancellationToken cancellation) =>
        UntilAsync(async token => (await runtime.Storage.Nodes.LoadAllNodesAsync(token)).SelectMany(node => node.ActiveAgents).ToHashSet(),
            done, timeout, cancellation);

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
