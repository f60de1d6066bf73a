using System.Collections.Concurrent;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;

namespace TicketLedger.Tickets;

/// <summary>
/// This process's count of each office and year's numbers, for raises committed alone in their handler's transaction
/// (a bureau's referral; HTTP raises commit in groups, <see cref="TicketGroupCommit"/>; docs/ticket-lifecycle.md,
/// "Numbers"). A raise takes the next number from memory and reserves it in one short turn, so raises of one office
/// append side by side and queue only at their commits, in number order. The counter row stays the arbiter: a raise
/// whose number turns out taken (another node raised, a group moved the row, or the raise before it failed) does not
/// commit, the count is read again, and the request runs again (<see cref="Hosting.CommandRetries"/>). After such a miss
/// the office takes its numbers from the row for a while, one raise at a time to its commit, so two nodes raising into
/// one office do not keep undoing each other's work.
/// </summary>
public sealed class TicketNumberGate(TimeProvider clock)
{
    public static readonly TimeSpan RowTurnsAfterAMiss = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(string Office, int Year), NumberLine> _lines = new();

    internal NumberLine For(string office, int year) => _lines.GetOrAdd((office, year), _ => new NumberLine());

    internal DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The row of this office and year moved without this count (a group of raises took numbers from it).</summary>
    public void Forget(string office, int year)
    {
        if (_lines.TryGetValue((office, year), out var line)) line.Forget();
    }

    /// <summary>For a store whose counter rows were deleted behind the process's back (a test's reset): read them again.</summary>
    public void Forget()
    {
        foreach (var line in _lines.Values) line.Forget();
    }
}

internal sealed class NumberLine
{
    private readonly Lock _sync = new();
    private int _inFlight;
    private TaskCompletionSource? _drained;
    private volatile bool _unsure = true;
    private DateTimeOffset _rowTurnsUntil;

    public SemaphoreSlim Turn { get; } = new(1, 1);

    /// <summary>The last number handed out here; read with the turn held.</summary>
    public int Last { get; set; }

    /// <summary>Whether <see cref="Last"/> may be behind the row or ahead of what will commit; read with the turn held.</summary>
    public bool Unsure => _unsure;

    public bool TakesFromTheRow(DateTimeOffset now)
    {
        lock (_sync) return now < _rowTurnsUntil;
    }

    public void Began()
    {
        lock (_sync) _inFlight++;
    }

    /// <summary>A raise that did not commit leaves the count unsure and the office taking turns on the row for a while.</summary>
    public void Ended(bool committed, DateTimeOffset now)
    {
        if (!committed) _unsure = true;
        lock (_sync)
        {
            if (!committed) _rowTurnsUntil = now + TicketNumberGate.RowTurnsAfterAMiss;
            if (--_inFlight == 0) _drained?.TrySetResult();
        }
    }

    public void Forget() => _unsure = true;

    public void Known(int last)
    {
        Last = last;
        _unsure = false;
    }

    /// <summary>Completes when no raise of this line is in flight here: only then does the row say what comes next.</summary>
    public Task DrainedAsync(CancellationToken ct)
    {
        lock (_sync)
        {
            if (_inFlight == 0) return Task.CompletedTask;
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task.WaitAsync(ct);
        }
    }
}

/// <summary>
/// A raise's number, from its turn to its commit. With the count known it reserves the next number and claims it in the
/// transaction, which the database settles inside the COMMIT (<see cref="TicketNumberSettling"/>); otherwise it waits
/// for the line to drain and reads the count from the row, and while the office takes turns on the row it also locks
/// the row and keeps the turn to the commit. It ends when the transaction has committed (the session calls back) or
/// when the handler that holds it ends without a commit (it is disposed); a raise that did not commit makes the office
/// take turns on the row for a while, as the likely cause is a number taken by another node.
/// </summary>
public sealed class TicketNumberTurn(TicketNumberGate gate) : DocumentSessionListenerBase, IDisposable
{
    private NumberLine? _line;
    private bool _holdsTheTurn;

    public async Task<string> TakeAsync(IDocumentSession session, string office, int year, CancellationToken ct)
    {
        if (_line is not null) throw new InvalidOperationException("One raise per transaction: this turn already has a number.");
        var line = gate.For(office, year);
        await session.BeginTransactionAsync(ct);
        await line.Turn.WaitAsync(ct);
        int number;
        try
        {
            var (holdRow, unsure) = (line.TakesFromTheRow(gate.Now), line.Unsure);
            if (holdRow || unsure) await line.DrainedAsync(ct);
            number = await TicketNumbers.ReserveAsync(session, office, year, unsure ? null : line.Last, holdRow, ct);
            line.Known(number);
            line.Began();
            (_line, _holdsTheTurn) = (line, holdRow);
        }
        finally
        {
            if (!_holdsTheTurn) line.Turn.Release();
        }
        TicketNumbers.Claim(session, office, year, number);
        session.Listeners.Add(this);
        return TicketNumbers.Format(year, number);
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        End(committed: true);
        return Task.CompletedTask;
    }

    public void Dispose() => End(committed: false);

    private void End(bool committed)
    {
        if (Interlocked.Exchange(ref _line, null) is not { } line) return;
        line.Ended(committed, gate.Now);
        if (_holdsTheTurn) line.Turn.Release();
    }
}

public static class TicketNumbering
{
    public static void AddTicketNumbering(this IServiceCollection services)
    {
        services.AddSingleton<TicketNumberGate>();
        services.AddScoped<TicketNumberTurn>();
        services.AddSingleton<TicketGroupCommit>();
        services.AddSingleton<TicketReads>();
        services.AddSingleton<RegisteredSubjects>();
    }
}
