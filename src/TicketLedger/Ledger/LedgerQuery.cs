using Marten;
using TicketLedger.Audit;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

/// <summary>
/// Reads the ledger from the projection's documents, never from the event table: the live totals, the daily
/// snapshots up to a business date, or the recorded-day buckets plus the last partial day's recordings for `knownAt`.
/// </summary>
public sealed class LedgerQuery(IQuerySession session, Office office, TimeProvider clock, AuditChain chain)
{
    /// <summary>One batched round trip for the figures, one more for the chain head that vouches for them unless known.</summary>
    public async Task<LedgerFigures> Read(LedgerPoint point, CancellationToken cancellation)
    {
        var (asOf, knownAt) = point;
        var businessDate = asOf ?? office.LocalDate(knownAt ?? clock.GetUtcNow());
        var day = businessDate.DayNumber;
        var current = knownAt is null && businessDate >= office.LocalDate(clock.GetUtcNow());

        var batch = session.CreateBatchQuery();
        var totals = batch.Load<LedgerTotals>(office.Code);
        var firstResumed = batch.Query<LedgerEntity>()
            .Where(e => e.Office == office.Code && e.FirstResumedDay != null && e.FirstResumedDay <= day)
            .OrderBy(e => e.FirstResumedDay)
            .FirstOrDefault();
        // Current: the live totals minus the days ahead (a deadline falling due tomorrow). Past: the daily snapshots up to
        // the date. Known at an instant: the recorded-day buckets before its day, plus that day's recordings.
        var days = current
            ? batch.Query<LedgerDay>().Where(d => d.Office == office.Code && d.Day > day).ToList()
            : knownAt is null ? batch.Query<LedgerDay>().Where(d => d.Office == office.Code && d.Day <= day).ToList() : null;
        var recordedDay = DateOnly.FromDateTime((knownAt ?? default).UtcDateTime);
        var startOfRecordedDay = new DateTimeOffset(recordedDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var buckets = knownAt is null ? null : batch.Query<LedgerRecordedDay>()
            .Where(b => b.Office == office.Code && b.Day <= day && b.RecordedDay < recordedDay.DayNumber).ToList();
        var tail = knownAt is not { } k ? null : batch.Query<LedgerRecording>()
            .Where(r => r.Office == office.Code && r.To >= startOfRecordedDay && r.From <= k).ToList();
        await batch.Execute(cancellation);

        var stored = await totals;
        var counters = new Counters();
        if (stored is not null && current) counters.AddAll(stored.Counters);
        foreach (var ledgerDay in days is null ? [] : await days) counters.AddAll(ledgerDay.Counters, current ? -1 : 1);
        foreach (var bucket in buckets is null ? [] : await buckets) counters.AddAll(bucket.Counters);
        foreach (var recording in tail is null ? [] : await tail)
        foreach (var item in recording.Items.Where(i => i.RecordedAt >= startOfRecordedDay && i.RecordedAt <= knownAt))
        foreach (var (_, changes) in item.Changes.Where(c => c.Key <= day))
            counters.AddAll(changes);

        var chainHead = stored is null ? null : await chain.SealedHeadAtOrBelowAsync(stored.LastSequence, stored.LastRecordedAt, cancellation);
        return LedgerFigures.From(office.Code, businessDate, knownAt, counters, await firstResumed, new LedgerProvenance(
            stored?.LastSequence ?? 0, stored?.LastRecordedAt, chainHead?.Sequence, chainHead?.Hash));
    }
}
