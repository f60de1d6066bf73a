namespace TicketLedger.Hosting;

/// <summary>Keeps the key table bounded; lookups ignore expired keys anyway, so the hourly pace only bounds its size.</summary>
public sealed class IdempotencyCleanup(IdempotencyStore keys, ILogger<IdempotencyCleanup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await keys.PurgeExpiredAsync(stoppingToken);
                if (purged > 0) logger.LogInformation("Deleted {Count} expired idempotency keys", purged);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not delete expired idempotency keys; will try again");
            }
        }
    }
}
