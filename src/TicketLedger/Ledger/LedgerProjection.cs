using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using TicketLedger.Hosting;
using TicketLedger.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Ledger;

/// <summary>
/// Builds the ledger from ticket and subject events, one page of events at a time: each event updates its entity's
/// step function, and the difference goes to the live totals, the daily snapshots, the recorded-day buckets and a
/// per-event entry. Pages are summed in memory first, so a page costs one write per touched document.
/// </summary>
public sealed class LedgerProjection(Office office) : IProjection
{
    public static readonly Type[] Documents = [typeof(LedgerEntity), typeof(LedgerTotals), typeof(LedgerDay), typeof(LedgerRecordedDay), typeof(LedgerEntry)];

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var relevant = events.Where(e => EntityId(e.Data) is not null).ToList();
        if (relevant.Count == 0) return;

        var entityIds = relevant.Select(e => EntityId(e.Data)!.Value).Distinct().ToArray();
        var entities = (await operations.LoadManyAsync<LedgerEntity>(cancellation, entityIds)).ToDictionary(e => e.Id);
        var page = new LedgerPage();

        foreach (var e in relevant)
        {
            var id = EntityId(e.Data)!.Value;
            var entity = entities.GetValueOrDefault(id) ?? Create(id, e.Data);
            if (entity is null) continue;
            entities[id] = entity;

            var before = entity.Increments(office);
            if (!Describe(entity, e)) continue;
            var changes = LedgerEntity.Difference(before, entity.Increments(office));
            page.Add(entity.Office, e, changes);
            operations.Store(entity);
        }
        await page.SaveAsync(operations, cancellation);
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
        TicketRaised raised => new LedgerEntity { Id = id, Office = raised.Office, Kind = LedgerEntityKind.Ticket, DueBy = raised.DueBy, Name = raised.Number },
        SubjectRegistered registered => new LedgerEntity
        {
            Id = id, Office = registered.Office, Kind = LedgerEntityKind.Subject, Name = registered.Name,
            SubjectKind = registered.Kind, Scale = registered.Scale, KeyProjectLevel = registered.KeyProjectLevel,
        },
        _ => null,
    };

    private bool Describe(LedgerEntity entity, IEvent e)
    {
        int DayOf(DateTimeOffset at) => office.LocalDate(at).DayNumber;
        LedgerFact Fact(LedgerFactType type, DateTimeOffset at, string? code = null) => new(e.Sequence, type, at, DayOf(at), code);

        LedgerFact? fact = e.Data switch
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
                Day = x.ResumedOn.DayNumber, Amount = x.WorkersReturned, Amount2 = x.Headcount,
            },
            FundDisbursed x => Fact(LedgerFactType.Funded, x.OccurredAt, x.Batch) with { Day = x.DisbursedOn.DayNumber, Amount = x.AmountYuan },
            _ => null,
        };
        if (fact is null) return false;
        entity.Record(fact);
        return true;
    }

    /// <summary>The changes of one page of events, summed per target document before anything is written.</summary>
    private sealed class LedgerPage
    {
        private readonly Dictionary<string, (Counters Counters, long Sequence, DateTimeOffset RecordedAt)> _totals = [];
        private readonly Dictionary<string, LedgerDay> _days = [];
        private readonly Dictionary<string, LedgerRecordedDay> _recordedDays = [];
        private readonly List<LedgerEntry> _entries = [];

        public void Add(string office, IEvent e, SortedDictionary<int, Counters> changes)
        {
            var totals = _totals.GetValueOrDefault(office, (new Counters(), 0, default));
            _totals[office] = (totals.Counters, e.Sequence, e.Timestamp);
            if (changes.Count == 0) return;

            var recordedDay = DateOnly.FromDateTime(e.Timestamp.UtcDateTime).DayNumber;
            foreach (var (day, counters) in changes)
            {
                totals.Counters.AddAll(counters);
                var dayId = LedgerDay.IdFor(office, day);
                (_days.TryGetValue(dayId, out var ledgerDay) ? ledgerDay : _days[dayId] = new LedgerDay { Id = dayId, Office = office, Day = day })
                    .Counters.AddAll(counters);
                var recordedId = LedgerRecordedDay.IdFor(office, day, recordedDay);
                (_recordedDays.TryGetValue(recordedId, out var recorded) ? recorded
                        : _recordedDays[recordedId] = new LedgerRecordedDay { Id = recordedId, Office = office, Day = day, RecordedDay = recordedDay })
                    .Counters.AddAll(counters);
            }
            _entries.Add(new LedgerEntry { Id = e.Sequence, Office = office, RecordedAt = e.Timestamp, Changes = new Dictionary<int, Counters>(changes) });
        }

        public async Task SaveAsync(IDocumentOperations operations, CancellationToken cancellation)
        {
            foreach (var total in await operations.LoadManyAsync<LedgerTotals>(cancellation, _totals.Keys.ToArray()))
                _totals[total.Id].Counters.AddAll(total.Counters);
            foreach (var (office, (counters, sequence, recordedAt)) in _totals)
                operations.Store(new LedgerTotals { Id = office, Counters = counters, LastSequence = sequence, LastRecordedAt = recordedAt });

            foreach (var stored in await operations.LoadManyAsync<LedgerDay>(cancellation, _days.Keys.ToArray()))
                _days[stored.Id].Counters.AddAll(stored.Counters);
            operations.Store(_days.Values.ToArray());

            foreach (var stored in await operations.LoadManyAsync<LedgerRecordedDay>(cancellation, _recordedDays.Keys.ToArray()))
                _recordedDays[stored.Id].Counters.AddAll(stored.Counters);
            operations.Store(_recordedDays.Values.ToArray());

            operations.Store(_entries.ToArray());
        }
    }
}
