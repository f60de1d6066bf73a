using Microsoft.Extensions.Options;
using Wolverine;

namespace TicketLedger.Audit;

/// <summary>
/// Keeps the transparency log up with the events: leaves on the sealer's cadence (Audit:SealEvery), a signed checkpoint
/// every Audit:CheckpointEvery while the tree grows. Leaf appends serialise on an advisory lock, so every node may run it.
/// </summary>
public sealed class LogWriter(
    TransparencyLog log, IServiceScopeFactory scopes, IOptions<ChainSealerOptions> sealer, IOptions<TransparencyLogOptions> options,
    TimeProvider clock, ILogger<LogWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(sealer.Value.SealEvery);
        // The first checkpoint one period after start: a GET of the checkpoint issues one on demand before that.
        var lastCheckpoint = clock.GetUtcNow();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await log.AppendLeavesAsync(stoppingToken);
                if (clock.GetUtcNow() - lastCheckpoint < options.Value.CheckpointEvery) continue;
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(new IssueCheckpoint(), stoppingToken);
                lastCheckpoint = clock.GetUtcNow();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A failed round (database restart, failover) leaves the log where it was; the next round resumes.
                logger.LogWarning(e, "Extending the transparency log failed; retrying in {SealEvery}", sealer.Value.SealEvery);
            }
        }
    }
}
