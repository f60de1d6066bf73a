using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using TicketLedger.Hosting;
using TicketLedger.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Ledger;

/// <summary>
/// Builds the ledger from ticket and subject events, one page of events at a time: each event updates its entity's
/// step function, and the difference goes to the live totals, the daily snapshots, the recorded-day buckets and the
/// page's recording. Pages are summed in memory first, so a page costs one write per touched document; an entity's
/// step function is recomputed once per recording instant it was touched at, not twice per event.
/// </summary>
public sealed class LedgerProjection(Offices offices) : IProjection
{
    public static readonly Type[] Documents = [typeof(LedgerEntity), typeof(LedgerTotals), typeof(LedgerDay), typeof(LedgerRecordedDay), typeof(LedgerRecording)];

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var relevant = events.Where(e => EntityId(e.Data) is not null).ToList();
        if (relevant.Count == 0) return;

        var entityIds = relevant.Select(e => EntityId(e.Data)!.Value).Distinct().ToArray();
        var entities = (await operations.LoadManyAsync<LedgerEntity>(cancellation, entityIds)).ToDictionary(e => e.Id);
        var touched = new Dictionary<Guid, Touched>();
        var page = new LedgerPage();

        foreach (var e in relevant)
        {
            var id = EntityId(e.Data)!.Value;
            var entity = entities.GetValueOrDefault(id) ?? Create(id, e.Data);
            if (entity is null) continue;
            // Days are the entity's office's days: each office keeps its own clock.
            var office = offices.ClockOf(entity.Office);
            if (Describe(e, office) is not { } fact) continue;
            entities[id] = entity;

            if (!touched.TryGetValue(id, out var state)) touched[id] = state = new Touched(entity, office, entity.Increments(office));
            // Facts recorded at one instant (one transaction) are summed into one change; a later instant closes it.
            if (state.PendingAt is { } pendingAt && pendingAt != e.Timestamp) Close(state, page);
            entity.Record(fact);
            state.PendingAt = e.Timestamp;
            page.Saw(entity.Office, e);
        }
        foreach (var state in touched.Values)
        {
            Close(state, page);
            operations.Store(state.Entity);
        }
        await page.SaveAsync(operations, cancellation);
    }

    private static void Close(Touched state, LedgerPage page)
    {
        if (state.PendingAt is not { } recordedAt) return;
        var after = state.Entity.Increments(state.Office);
        page.Add(state.Entity.Office, recordedAt, LedgerEntity.Difference(state.Before, after));
        state.Before = after;
        state.PendingAt = null;
    }

    /// <summary>An entity changed in this page: its step function before the facts not yet summed, and their instant.</summary>
    private sealed class Touched(LedgerEntity entity, Office office, SortedDictionary<int, Counters> before)
    {
        public LedgerEntity Entity { get; } = entity;
        public Office Office { get; } = office;
        public SortedDictionary<int, Counters> Before { get; set; } = before;
        public DateTimeOffset? PendingAt { get; set; }
    }

    private static Guid? EntityId(object data) => data switch
    {
        TicketRaised x => x.TicketId, TicketAssigned x => x.TicketId, TicketResponded x => x.TicketId,
        TicketResolved x => x.TicketId, TicketReopened x => x.TicketId, ReturnVisitRecorded x => x.TicketId,
        SubjectRegistered x => x.SubjectId, SubjectVisited x => x.SubjectId, ResumptionReported x => x.SubjectId,
        FundDisbursed x => x.SubjectId,
        _ => null,
    };

    private static LedgerEntity? Create(Guid id, object data) => data switch
    {
        TicketRaised raised => new LedgerEntity { Id = id, Office = raised.Office, Kind = LedgerEntityKind.Ticket, DueBy = raised.DueBy },
        SubjectRegistered registered => new LedgerEntity
        {
            Id = id, Office = registered.Office, Kind = LedgerEntityKind.Subject, Name = registered.Name,
            SubjectKind = registered.Kind, Scale = registered.Scale, KeyProjectLevel = registered.KeyProjectLevel,
        },
        _ => null,
    };

    private static LedgerFact? Describe(IEvent e, Office office)
    {
        int DayOf(DateTimeOffset at) => office.LocalDate(at).DayNumber;
        LedgerFact Fact(LedgerFactType type, DateTimeOffset at, string? code = null) => new(e.Sequence, type, at, DayOf(at), code);

        return e.Data switch
        {
            TicketRaised x => Fact(LedgerFactType.Raised, x.OccurredAt, x.Category),
            TicketAssigned x => Fact(LedgerFactType.Assigned, x.OccurredAt, x.Department),
            TicketResponded x => Fact(LedgerFactType.Replied, x.OccurredAt),
            TicketResolved x => Fact(LedgerFactType.Resolved, x.OccurredAt),
            TicketReopened x => Fact(LedgerFactType.Reopened, x.OccurredAt),
            ReturnVisitRecorded x => Fact(LedgerFactType.ReturnVisit, x.OccurredAt) with { Flag = x.Satisfied },
            SubjectRegistered x => Fact(LedgerFactType.Registered, x.OccurredAt),
            SubjectVisited x => Fact(LedgerFactType.Visited, x.OccurredAt) with { Day = x.VisitedOn.DayNumber },
            ResumptionReported x => Fact(LedgerFactType.Resumed, x.OccurredAt) with
            {
                Day = x.ResumedOn.DayNumber, Amount = x.WorkersReturned, Headcount = x.Headcount,
            },
            FundDisbursed x => Fact(LedgerFactType.Funded, x.OccurredAt, x.Batch) with { Day = x.DisbursedOn.DayNumber, Amount = x.AmountYuan },
            _ => null,
        };
    }

    /// <summary>The changes of one page of events, summed per target document before anything is written.</summary>
    private sealed class LedgerPage
    {
        private readonly Dictionary<string, (Counters Counters, long Sequence, DateTimeOffset RecordedAt)> _totals = [];
        private readonly Dictionary<string, LedgerDay> _days = [];
        private readonly Dictionary<string, LedgerRecordedDay> _recordedDays = [];
        private readonly Dictionary<string, (long FirstSequence, SortedDictionary<DateTimeOffset, Dictionary<int, Counters>> Items)> _recordings = [];

        /// <summary>The totals say how far the ledger has read, changes or not.</summary>
        public void Saw(string office, IEvent e)
        {
            var totals = _totals.GetValueOrDefault(office, (new Counters(), 0, default));
            _totals[office] = (totals.Counters, e.Sequence, e.Timestamp);
            if (!_recordings.ContainsKey(office)) _recordings[office] = (e.Sequence, []);
        }

        public void Add(string office, DateTimeOffset recordedAt, SortedDictionary<int, Counters> changes)
        {
            if (changes.Count == 0) return;
            var totals = _totals[office].Counters;
            var recordedDay = DateOnly.FromDateTime(recordedAt.UtcDateTime).DayNumber;
            var items = _recordings[office].Items;
            var item = items.TryGetValue(recordedAt, out var existing) ? existing : items[recordedAt] = [];
            foreach (var (day, counters) in changes)
            {
                totals.AddAll(counters);
                var dayId = LedgerDay.IdFor(office, day);
                (_days.TryGetValue(dayId, out var ledgerDay) ? ledgerDay : _days[dayId] = new LedgerDay { Id = dayId, Office = office, Day = day })
                    .Counters.AddAll(counters);
                var recordedId = LedgerRecordedDay.IdFor(office, day, recordedDay);
                (_recordedDays.TryGetValue(recordedId, out var recorded) ? recorded
                        : _recordedDays[recordedId] = new LedgerRecordedDay { Id = recordedId, Office = office, Day = day, RecordedDay = recordedDay })
                    .Counters.AddAll(counters);
                (item.TryGetValue(day, out var sum) ? sum : item[day] = new Counters()).AddAll(counters);
            }
        }

        /// <summary>One round trip reads the stored totals and buckets the page adds to; the writes go out with the page.</summary>
        public async Task SaveAsync(IDocumentOperations operations, CancellationToken cancellation)
        {
            var batch = operations.CreateBatchQuery();
            var storedTotals = batch.LoadMany<LedgerTotals>().ById(_totals.Keys.ToArray());
            var storedDays = batch.LoadMany<LedgerDay>().ById(_days.Keys.ToArray());
            var storedRecordedDays = batch.LoadMany<LedgerRecordedDay>().ById(_recordedDays.Keys.ToArray());
            await batch.Execute(cancellation);

            foreach (var total in await storedTotals) _totals[total.Id].Counters.AddAll(total.Counters);
            foreach (var (office, (counters, sequence, recordedAt)) in _totals)
                operations.Store(new LedgerTotals { Id = office, Counters = counters, LastSequence = sequence, LastRecordedAt = recordedAt });
            foreach (var stored in await storedDays) _days[stored.Id].Counters.AddAll(stored.Counters);
            if (_days.Count > 0) operations.Store(_days.Values.ToArray());
            foreach (var stored in await storedRecordedDays) _recordedDays[stored.Id].Counters.AddAll(stored.Counters);
            if (_recordedDays.Count > 0) operations.Store(_recordedDays.Values.ToArray());

            foreach (var (office, (firstSequence, items)) in _recordings.Where(r => r.Value.Items.Count > 0))
                operations.Store(new LedgerRecording
                {
                    Id = LedgerRecording.IdFor(office, firstSequence), Office = office, From = items.Keys.First(), To = items.Keys.Last(),
                    Items = items.Select(i => new LedgerRecordingItem(i.Key, i.Value)).ToList(),
                });
        }
    }
}
