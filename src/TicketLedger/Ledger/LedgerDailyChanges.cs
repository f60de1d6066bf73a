using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

/// <summary>
/// How much every metric changed on each business day up to a date, from the daily snapshots, or, as recorded by an
/// instant, from the recorded-day buckets before its (UTC) day plus that day's recordings: the same documents the
/// ledger's own figures are read from, so a trend ends exactly on the ledger of its date.
/// </summary>
public sealed class LedgerDailyChanges(IQuerySession session, Office office)
{
    public async Task<SortedDictionary<int, Counters>> Read(int lastDay, DateTimeOffset? knownAt, CancellationToken cancellation)
    {
        var changes = new SortedDictionary<int, Counters>();
        void Add(int day, IReadOnlyDictionary<string, decimal> counters) =>
            (changes.TryGetValue(day, out var sum) ? sum : changes[day] = new Counters()).AddAll(counters);

        if (knownAt is not { } k)
        {
            var days = await session.Query<LedgerDay>().Where(d => d.Office == office.Code && d.Day <= lastDay).ToListAsync(cancellation);
            foreach (var day in days) Add(day.Day, day.Counters);
            return changes;
        }

        var recordedDay = DateOnly.FromDateTime(k.UtcDateTime);
        var startOfRecordedDay = new DateTimeOffset(recordedDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var batch = session.CreateBatchQuery();
        var buckets = batch.Query<LedgerRecordedDay>()
            .Where(b => b.Office == office.Code && b.Day <= lastDay && b.RecordedDay < recordedDay.DayNumber).ToList();
        var tail = batch.Query<LedgerRecording>()
            .Where(r => r.Office == office.Code && r.To >= startOfRecordedDay && r.From <= k).ToList();
        await batch.Execute(cancellation);

        foreach (var bucket in await buckets) Add(bucket.Day, bucket.Counters);
        foreach (var recording in await tail)
        foreach (var item in recording.Items.Where(i => i.RecordedAt >= startOfRecordedDay && i.RecordedAt <= k))
        foreach (var (day, change) in item.Changes.Where(c => c.Key <= lastDay))
            Add(day, change);
        // A day whose changes cancelled out (a ticket raised and resolved, then reopened) is no point on the curve.
        foreach (var empty in changes.Where(c => c.Value.Count == 0).Select(c => c.Key).ToList()) changes.Remove(empty);
        return changes;
    }
}
