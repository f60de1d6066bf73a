namespace TicketLedger.Audit;

public sealed class ChainSealerOptions
{
    /// <summary>How far the global chain may trail the appends; Audit:SealEvery in configuration.</summary>
    public TimeSpan SealEvery { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Extends the global chain shortly after events commit. Sealing after commit, rather than inside each append,
/// is what lets appends to different streams run in parallel: only this one sealer (per database, by an advisory
/// lock) walks the global order. Every node runs it over every database; the lock makes the work happen once.
/// </summary>
public sealed class ChainSealer(AuditChains chains, Microsoft.Extensions.Options.IOptions<ChainSealerOptions> options, ILogger<ChainSealer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SealEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var chain in chains.All)
            {
                try
                {
                    await chain.SealAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A failed round (database restart, failover) leaves the chain where it was; the next round resumes,
                    // and the other databases' chains are sealed meanwhile.
                    logger.LogWarning(e, "Sealing the audit chain of database {Database} failed; retrying in {SealEvery}", chain.Database, options.Value.SealEvery);
                }
            }
        }
    }
}
