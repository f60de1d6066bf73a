using Wolverine;

namespace TicketLedger.Hosting;

/// <summary>
/// How quickly the nodes of a deployment notice that one of them died and hand its work (async projections, scheduled
/// deadlines, its share of the inbox and outbox) to a survivor. Wolverine's defaults take a minute or more; these take
/// well under 30 s, at the price of a heartbeat row written every few seconds per node and of a node frozen for longer
/// than the stale timeout (a long GC pause, a stopped VM) losing its work to another. That is safe: a projection's
/// progress row only moves forward from where it stands, so a node that wakes up late cannot apply a page twice
/// (docs/nodes.md).
/// </summary>
public static class Nodes
{
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    public static void UseNodeHealthSettings(this WolverineOptions opts)
    {
        opts.Durability.Mode = DurabilityMode.Balanced;
        opts.Durability.HealthCheckPollingTime = HeartbeatEvery;
        opts.Durability.FirstHealthCheckExecution = TimeSpan.FromSeconds(1);
        opts.Durability.StaleNodeTimeout = StaleAfter;
        opts.Durability.CheckAssignmentPeriod = TimeSpan.FromSeconds(10);
        opts.Durability.NodeReassignmentPollingTime = TimeSpan.FromSeconds(5);
        opts.Durability.FirstNodeReassignmentExecution = TimeSpan.FromSeconds(1);
    }
}
