using Marten;
using TicketLedger.Audit;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

/// <summary>
/// Reads the ledger from the projection's documents, never from the event table: the live totals, the daily
/// snapshots up to a business date, or the recorded-day buckets plus the last partial day's entries for `knownAt`.
/// </summary>
public sealed class LedgerQuery(IQuerySession session, Office office, TimeProvider clock, AuditChain chain)
{
    public async Task<LedgerFigures> Read(DateOnly? asOf, DateTimeOffset? knownAt, CancellationToken cancellation)
    {
        var businessDate = asOf ?? office.LocalDate(knownAt ?? clock.GetUtcNow());
        var totals = await session.LoadAsync<LedgerTotals>(office.Code, cancellation);
        var counters = knownAt is { } recordedBy
            ? await AsRecordedBy(businessDate, recordedBy, cancellation)
            : await AsOf(businessDate, totals, cancellation);
        var firstResumed = await session.Query<LedgerEntity>()
            .Where(e => e.Office == office.Code && e.FirstResumedDay != null && e.FirstResumedDay <= businessDate.DayNumber)
            .OrderBy(e => e.FirstResumedDay)
            .FirstOrDefaultAsync(cancellation);
        var chainHead = totals is null ? null : await chain.SealedHeadAtOrBelowAsync(totals.LastSequence, cancellation);
        return LedgerFigures.From(office.Code, businessDate, knownAt, counters, firstResumed, new LedgerProvenance(
            totals?.LastSequence ?? 0, totals?.LastRecordedAt, chainHead?.Sequence, chainHead?.Hash));
    }

    private async Task<Counters> AsOf(DateOnly date, LedgerTotals? totals, CancellationToken cancellation)
    {
        var counters = new Counters();
        if (totals is null) return counters;
        if (date >= office.LocalDate(clock.GetUtcNow()))
        {
            // The live totals minus the days ahead (a deadline falling due tomorrow): one document and a row or two.
            counters.AddAll(totals.Counters);
            var ahead = await session.Query<LedgerDay>().Where(d => d.Office == office.Code && d.Day > date.DayNumber).ToListAsync(cancellation);
            foreach (var day in ahead) counters.AddAll(day.Counters, -1);
            return counters;
        }
        var days = await session.Query<LedgerDay>().Where(d => d.Office == office.Code && d.Day <= date.DayNumber).ToListAsync(cancellation);
        foreach (var day in days) counters.AddAll(day.Counters);
        return counters;
    }

    private async Task<Counters> AsRecordedBy(DateOnly date, DateTimeOffset knownAt, CancellationToken cancellation)
    {
        var recordedDay = DateOnly.FromDateTime(knownAt.UtcDateTime);
        var startOfRecordedDay = new DateTimeOffset(recordedDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var buckets = await session.Query<LedgerRecordedDay>()
            .Where(b => b.Office == office.Code && b.Day <= date.DayNumber && b.RecordedDay < recordedDay.DayNumber)
            .ToListAsync(cancellation);
        var tail = await session.Query<LedgerEntry>()
            .Where(e => e.Office == office.Code && e.RecordedAt >= startOfRecordedDay && e.RecordedAt <= knownAt)
            .ToListAsync(cancellation);

        var counters = new Counters();
        foreach (var bucket in buckets) counters.AddAll(bucket.Counters);
        foreach (var entry in tail)
        foreach (var (_, changes) in entry.Changes.Where(c => c.Key <= date.DayNumber))
            counters.AddAll(changes);
        return counters;
    }
}
