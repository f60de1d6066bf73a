using Marten;
using TicketLedger.Audit;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

/// <summary>One office's ledger at a point, with the metrics it was computed from, so that ledgers can be added up.</summary>
public sealed record LedgerReading(Office Office, Counters Counters, LedgerFigures Figures);

/// <summary>
/// Reads the ledger from the projection's documents, never from the event table: the live totals, the daily
/// snapshots up to a business date, or the recorded-day buckets plus the last partial day's recordings for `knownAt`.
/// The documents are district-wide and carry their office, so any number of offices of a database is read in the same
/// round trips as one; offices on several databases are read from each at once (docs/nodes.md).
/// </summary>
public sealed class LedgerQuery(IDocumentStore store, OfficeDatabases databases, TimeProvider clock, AuditChains chains)
{
    public async Task<LedgerFigures> Read(Office office, LedgerPoint point, CancellationToken cancellation) =>
        (await Read([office], point, cancellation))[0].Figures;

    /// <summary>The readings in the order of the offices asked for.</summary>
    public async Task<IReadOnlyList<LedgerReading>> Read(IReadOnlyList<Office> offices, LedgerPoint point, CancellationToken cancellation)
    {
        var perDatabase = await Task.WhenAll(databases.Group(offices).Select(async group =>
        {
            // The ledger's documents are not tenanted: a session of any office of the database reads all of them.
            await using var session = store.QuerySession(group.Offices[0].Code);
            return await Read(session, chains.For(group.Database), group.Offices, point, cancellation);
        }));
        var byOffice = perDatabase.SelectMany(r => r).ToDictionary(r => r.Office.Code);
        return offices.Select(o => byOffice[o.Code]).ToList();
    }

    /// <summary>
    /// One batched round trip for every office's figures, one more for the chain heads that vouch for them. Each office
    /// is read on its own calendar: "as of a date" ends at midnight on its clock, and the live ledger is of its today.
    /// </summary>
    private async Task<IReadOnlyList<LedgerReading>> Read(
        IQuerySession session, AuditChain chain, IReadOnlyList<Office> offices, LedgerPoint point, CancellationToken cancellation)
    {
        var (asOf, knownAt) = point;
        var now = clock.GetUtcNow();
        var targets = offices.Select(office =>
        {
            var date = asOf ?? office.LocalDate(knownAt ?? now);
            return new Target(office, date, knownAt is null && date >= office.LocalDate(now));
        }).ToList();
        var codes = targets.Select(t => t.Office.Code).ToArray();
        var current = targets.Where(t => t.Current).ToList();
        var past = targets.Where(t => !t.Current && knownAt is null).ToList();

        var batch = session.CreateBatchQuery();
        var totals = batch.LoadMany<LedgerTotals>().ById(codes);
        var firstResumed = targets.Select(t =>
        {
            var (code, day) = (t.Office.Code, t.Day);
            return batch.Query<LedgerEntity>()
                .Where(e => e.Office == code && e.FirstResumedDay != null && e.FirstResumedDay <= day)
                .OrderBy(e => e.FirstResumedDay)
                .FirstOrDefault();
        }).ToList();
        // Current: the live totals minus the days ahead (a deadline falling due tomorrow). Past: the daily snapshots up to
        // the date. Known at an instant: the recorded-day buckets before its day, plus that day's recordings. Offices on
        // different clocks may ask for different days: one query per kind reads from the widest, each office keeps its own.
        Task<IReadOnlyList<LedgerDay>>? ahead = null, upTo = null;
        if (current.Count > 0)
        {
            var (currentCodes, earliest) = (current.Select(t => t.Office.Code).ToArray(), current.Min(t => t.Day));
            ahead = batch.Query<LedgerDay>().Where(d => currentCodes.Contains(d.Office) && d.Day > earliest).ToList();
        }
        if (past.Count > 0)
        {
            var (pastCodes, latest) = (past.Select(t => t.Office.Code).ToArray(), past.Max(t => t.Day));
            upTo = batch.Query<LedgerDay>().Where(d => pastCodes.Contains(d.Office) && d.Day <= latest).ToList();
        }
        var lastDay = targets.Max(t => t.Day);
        var recordedDay = DateOnly.FromDateTime((knownAt ?? default).UtcDateTime);
        var startOfRecordedDay = new DateTimeOffset(recordedDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var buckets = knownAt is null ? null : batch.Query<LedgerRecordedDay>()
            .Where(b => codes.Contains(b.Office) && b.Day <= lastDay && b.RecordedDay < recordedDay.DayNumber).ToList();
        var tail = knownAt is not { } k ? null : batch.Query<LedgerRecording>()
            .Where(r => codes.Contains(r.Office) && r.To >= startOfRecordedDay && r.From <= k).ToList();
        await batch.Execute(cancellation);

        var stored = (await totals).ToDictionary(t => t.Id);
        var counters = targets.ToDictionary(t => t.Office.Code, _ => new Counters());
        var byCode = targets.ToDictionary(t => t.Office.Code);
        foreach (var t in current)
            if (stored.TryGetValue(t.Office.Code, out var live)) counters[t.Office.Code].AddAll(live.Counters);
        foreach (var ledgerDay in ahead is null ? [] : await ahead)
            if (ledgerDay.Day > byCode[ledgerDay.Office].Day) counters[ledgerDay.Office].AddAll(ledgerDay.Counters, -1);
        foreach (var ledgerDay in upTo is null ? [] : await upTo)
            if (ledgerDay.Day <= byCode[ledgerDay.Office].Day) counters[ledgerDay.Office].AddAll(ledgerDay.Counters);
        foreach (var bucket in buckets is null ? [] : await buckets)
            if (bucket.Day <= byCode[bucket.Office].Day) counters[bucket.Office].AddAll(bucket.Counters);
        foreach (var recording in tail is null ? [] : await tail)
        foreach (var item in recording.Items.Where(i => i.RecordedAt >= startOfRecordedDay && i.RecordedAt <= knownAt))
        foreach (var (_, changes) in item.Changes.Where(c => c.Key <= byCode[recording.Office].Day))
            counters[recording.Office].AddAll(changes);

        var heads = await ChainHeads(chain, stored.Values, cancellation);
        var readings = new List<LedgerReading>(targets.Count);
        foreach (var (t, first) in targets.Zip(firstResumed))
        {
            var total = stored.GetValueOrDefault(t.Office.Code);
            var head = total is null ? null : heads.GetValueOrDefault(total.LastSequence);
            var provenance = new LedgerProvenance(total?.LastSequence ?? 0, total?.LastRecordedAt, head?.Sequence, head?.Hash);
            var figures = LedgerFigures.From(t.Office.Code, t.Date, knownAt, counters[t.Office.Code], FirstResumption.Of(await first), provenance);
            readings.Add(new LedgerReading(t.Office, counters[t.Office.Code], figures));
        }
        return readings;
    }

    /// <summary>An office's own ledger asks for one head, which the chain answers from memory while no event arrives.</summary>
    private static async Task<IReadOnlyDictionary<long, ChainHead>> ChainHeads(AuditChain chain, IEnumerable<LedgerTotals> totals, CancellationToken cancellation)
    {
        var read = totals.ToList();
        if (read.Count != 1) return await chain.SealedHeadsAtOrBelowAsync(read.Select(t => t.LastSequence).ToList(), cancellation);
        var head = await chain.SealedHeadAtOrBelowAsync(read[0].LastSequence, read[0].LastRecordedAt, cancellation);
        return head is null ? new Dictionary<long, ChainHead>() : new Dictionary<long, ChainHead> { [read[0].LastSequence] = head };
    }

    private sealed record Target(Office Office, DateOnly Date, bool Current)
    {
        public int Day => Date.DayNumber;
    }
}
