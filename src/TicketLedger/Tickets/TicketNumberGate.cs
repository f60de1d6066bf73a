using System.Collections.Concurrent;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;

namespace TicketLedger.Tickets;

/// <summary>
/// One raise at a time per office and year in this process, from its number to its commit (docs/ticket-lifecycle.md,
/// "Numbers"). The counter row stays the arbiter between nodes; the turns only keep this node's raises from waiting on
/// the row's lock inside PostgreSQL, which wakes them out of arrival order: the same throughput, a third of the p99.
/// </summary>
public sealed class TicketNumberGate
{
    private readonly ConcurrentDictionary<(string Office, int Year), SemaphoreSlim> _gates = new();

    public SemaphoreSlim For(string office, int year) => _gates.GetOrAdd((office, year), _ => new SemaphoreSlim(1, 1));
}

/// <summary>
/// A raise's turn at its office's numbering. It ends when the raise's transaction has committed (the session calls
/// back), or when the handler or request that holds it ends without a commit (the container disposes it): either way
/// the next raise may take the row.
/// </summary>
public sealed class TicketNumberTurn(TicketNumberGate gate) : DocumentSessionListenerBase, IDisposable
{
    private SemaphoreSlim? _held;

    public async Task TakeAsync(IDocumentSession session, string office, int year, CancellationToken ct)
    {
        if (_held is not null) throw new InvalidOperationException("One raise per transaction: this turn is already held.");
        var gateOfYear = gate.For(office, year);
        await gateOfYear.WaitAsync(ct);
        _held = gateOfYear;
        session.Listeners.Add(this);
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => Interlocked.Exchange(ref _held, null)?.Release();
}

public static class TicketNumbering
{
    public static void AddTicketNumbering(this IServiceCollection services)
    {
        services.AddSingleton<TicketNumberGate>();
        services.AddScoped<TicketNumberTurn>();
    }
}
