using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace TicketLedger.Admin;

/// <summary>A service process as Wolverine's node table knows it, with the agents assigned to it.</summary>
public sealed record NodeItem(
    Guid Id, int Number, DateTimeOffset Started, DateTimeOffset LastHealthCheck, bool Leader, IReadOnlyList<string> Agents);

/// <summary>The node that answered, and the agents it runs at this moment (which may lag the assignments by a check).</summary>
public sealed record ThisNode(Guid Id, int Number, IReadOnlyList<string> Agents);

public sealed record NodeList(ThisNode Self, IReadOnlyList<NodeItem> Nodes);

/// <summary>
/// Which service processes share the database and which of them runs what: each async projection shard
/// (`event-subscriptions://…`), the leader's own agent. An operator finds here the node to drain, a test the node to
/// kill, and a failover shows as an agent moving to another node (docs/nodes.md).
/// </summary>
public static class GetNodesEndpoint
{
    [NotTenanted]
    [WolverineGet("/api/admin/nodes", OperationId = "ListNodes", Summary = "The nodes of the cluster and the agents each runs"), Tags("admin")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<NodeList>(StatusCodes.Status200OK)]
    public static async Task<NodeList> Get(IWolverineRuntime runtime, CancellationToken ct)
    {
        var nodes = await runtime.Storage.Nodes.LoadAllNodesAsync(ct);
        var self = new ThisNode(runtime.Options.UniqueNodeId, runtime.Options.Durability.AssignedNodeNumber,
            runtime.Agents.AllRunningAgentUris().Select(uri => uri.ToString()).Order().ToList());
        return new NodeList(self, nodes.OrderBy(n => n.AssignedNodeNumber).Select(Item).ToList());
    }

    private static NodeItem Item(WolverineNode node) => new(
        node.NodeId, node.AssignedNodeNumber, node.Started, node.LastHealthCheck, node.IsLeader(),
        node.ActiveAgents.Select(uri => uri.ToString()).Order().ToList());
}
