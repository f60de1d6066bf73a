using System.Collections.Concurrent;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace TicketLedger.Tickets;

/// <summary>
/// This process's count of each office and year's numbers (docs/ticket-lifecycle.md, "Numbers"). A raise takes the next
/// number from memory and reserves it in one short turn, so raises of one office append side by side and queue only at
/// their commits, in number order. The counter row stays the arbiter: a raise whose number turns out taken (another node
/// raised, or the raise before it failed) does not commit, the count is read again, and the request runs again
/// (<see cref="Hosting.CommandRetries"/>). After such a miss the office takes its numbers from the row for a while, one
/// raise at a time to its commit, so two nodes raising into one office do not keep undoing each other's work.
/// </summary>
public sealed class TicketNumberGate(TimeProvider clock)
{
    public static readonly TimeSpan RowTurnsAfterAMiss = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(string Office, int Year), NumberLine> _lines = new();

    internal NumberLine For(string office, int year) => _lines.GetOrAdd((office, year), _ => new NumberLine());

    internal DateTimeOffset Now => clock.GetUtcNow();

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

    public void Ended(bool committed)
    {
        if (!committed) _unsure = true;
        lock (_sync)
        {
            if (--_inFlight == 0) _drained?.TrySetResult();
        }
    }

    public void Forget() => _unsure = true;

    public void Missed(DateTimeOffset now)
    {
        _unsure = true;
        lock (_sync) _rowTurnsUntil = now + TicketNumberGate.RowTurnsAfterAMiss;
    }

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
/// A raise's number, from its turn to its commit. With the count known it reserves the next number and settles the row
/// just before the commit; otherwise it waits for the line to drain and takes the number from the row, holding the row
/// and the turn until the commit. It ends when the transaction has committed (the session calls back) or when the
/// handler that holds it ends without a commit (it is disposed).
/// </summary>
public sealed class TicketNumberTurn(TicketNumberGate gate) : DocumentSessionListenerBase, ITransactionParticipant, IDisposable
{
    private NumberLine? _line;
    private bool _holdsTheTurn;
    private bool _settles;
    private string _schema = "";
    private string _office = "";
    private int _year;
    private int _number;

    public async Task<string> TakeAsync(IDocumentSession session, string office, int year, CancellationToken ct)
    {
        if (_line is not null) throw new InvalidOperationException("One raise per transaction: this turn already has a number.");
        var line = gate.For(office, year);
        await line.Turn.WaitAsync(ct);
        try
        {
            await session.BeginTransactionAsync(ct);
            if (line.TakesFromTheRow(gate.Now))
            {
                await line.DrainedAsync(ct);
                _number = await TicketNumbers.NextAsync(session, office, year, ct);
                line.Known(_number);
                _holdsTheTurn = true;
            }
            else
            {
                if (line.Unsure)
                {
                    await line.DrainedAsync(ct);
                    line.Known(await TicketNumbers.LastAsync(session, office, year, ct));
                }
                _number = line.Last + 1;
                await TicketNumbers.ReserveAsync(session, office, year, _number, ct);
                line.Last = _number;
                _settles = true;
            }
            line.Began();
            _line = line;
        }
        finally
        {
            if (!_holdsTheTurn) line.Turn.Release();
        }
        (_schema, _office, _year) = (session.DocumentStore.Options.DatabaseSchemaName, office, year);
        session.Listeners.Add(this);
        if (_settles) ((ITransactionParticipantRegistrar)session).AddTransactionParticipant(this);
        return TicketNumbers.Format(year, _number);
    }

    public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
    {
        // Once committed, the session may save again: its later transactions carry no number.
        if (_line is not { } line) return;
        if (await TicketNumbers.SettleAsync(connection, transaction, _schema, _office, _year, _number, token)) return;
        line.Missed(gate.Now);
        await transaction.RollbackAsync(token);
        throw new TicketNumberTaken(_office, TicketNumbers.Format(_year, _number));
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
        line.Ended(committed);
        if (_holdsTheTurn) line.Turn.Release();
    }
}

/// <summary>The number a raise was counted was not the next when it came to commit; the raise runs again.</summary>
public sealed class TicketNumberTaken(string office, string number)
    : Hosting.LostRaceException($"Ticket number {number} of office {office} was not the next one at the commit; the raise runs again with a fresh count.");

public static class TicketNumbering
{
    public static void AddTicketNumbering(this IServiceCollection services)
    {
        services.AddSingleton<TicketNumberGate>();
        services.AddScoped<TicketNumberTurn>();
    }
}
