using Microsoft.Extensions.Options;
using Wolverine;

namespace TicketLedger.Audit;

/// <summary>
/// Keeps the transparency log up with the events: leaves on the sealer's cadence (Audit:SealEvery), a signed checkpoint
/// every Audit:CheckpointEvery while the tree grows. Leaf appends serialise on an advisory lock, so every node may run it.
/// </summary>
public sealed class LogWriter(
    TransparencyLogs logs, IServiceScopeFactory scopes, IOptions<ChainSealerOptions> sealer, IOptions<TransparencyLogOptions> options,
    TimeProvider clock, ILogger<LogWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(sealer.Value.SealEvery);
        // The first checkpoint one period after start: a GET of the checkpoint issues one on demand before that.
        var lastCheckpoint = clock.GetUtcNow();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var checkpointDue = clock.GetUtcNow() - lastCheckpoint >= options.Value.CheckpointEvery;
            foreach (var log in logs.All)
            {
                try
                {
                    await log.AppendLeavesAsync(stoppingToken);
                    if (!checkpointDue) continue;
                    await using var scope = scopes.CreateAsyncScope();
                    await log.IssueCheckpointAsync(scope.ServiceProvider.GetRequiredService<IMessageBus>(), stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A failed round (database restart, failover) leaves the log where it was; the next round resumes,
                    // and the other databases' logs are extended meanwhile.
                    logger.LogWarning(e, "Extending the transparency log of database {Database} failed; retrying in {SealEvery}",
                        log.Database, sealer.Value.SealEvery);
                }
            }
            if (checkpointDue) lastCheckpoint = clock.GetUtcNow();
        }
    }
}
