using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Hosting;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// A rebuild and a test's reset run while the async projections are paused (docs/nodes.md). The pause once paused
/// nothing in a store of one database (it looked the agents up by office), and a solo node does not carry out a
/// restriction at all: the ledger then ran under the work and stood still on a position the work had taken away (CI:
/// Ledger:All at 0 after a reset or a rebuild). Wolverine's health check must not bring a paused agent back either.
/// </summary>
public sealed class pausing_the_projection_agents(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_health_check_during_a_pause_leaves_the_agents_stopped()
    {
        var runtime = Host.Services.GetRequiredService<IWolverineRuntime>();
        var running = new List<string>();

        await Host.Services.GetRequiredService<ProjectionAgents>().WhilePausedAsync(async () =>
        {
            await runtime.Agents.DoHealthChecksAsync();
            running.AddRange(ProjectionAgentsRunning(runtime));
        }, CancellationToken.None, untilRunningAgain: true);

        Assert.Empty(running);
        Assert.NotEmpty(ProjectionAgentsRunning(runtime));
    }

    private static IEnumerable<string> ProjectionAgentsRunning(IWolverineRuntime runtime) =>
        runtime.Agents.AllRunningAgentUris().Where(uri => uri.Scheme == EventSubscriptionAgentFamily.SchemeName).Select(uri => uri.ToString());
}
