using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Marten.Schema.Indexing.Unique;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

public static class TicketsModule
{
    /// <summary>The ticket read model is inline, so a GET right after a command sees it; numbering needs its counter table.</summary>
    public static void AddTickets(this StoreOptions store)
    {
        store.Events.AddEventTypes(TicketEvents.All);
        store.Projections.Add<TicketProjection>(ProjectionLifecycle.Inline, ProjectionPages.Large);
        // The list filters on these and pages newest first: real columns with b-tree indexes, not jsonb expressions, so
        // a filtered page reads an index range instead of scanning every view (benchmark 2026-11-28: 637 ms p99 at 200k).
        // Every query of an office's views also filters its tenant_id (docs/offices.md), so the two composite indexes
        // lead with it, then status or newest-first order, and end in the id: a page's ids and its count come from an
        // index-only scan (without tenant_id in them the count read every assigned view: 331 ms p99 at 200k tickets,
        // benchmark 2026-11-30). Status, raising time and number are columns only for those two indexes: single-column
        // indexes on them, and on the office (always the tenant), only cost every command an index write. They are
        // duplicated by a policy because Marten's Duplicate always adds a single-column index.
        // One narrow index, (tenant_id, status), is for the list's count alone: its entries deduplicate into a few pages,
        // so counting 60,000 assigned tickets reads 1.4 MB instead of the composite index's 15 MB (2.7 ms instead of
        // 10 ms; the benchmark README, "One office's list reads its page's ids"), for one more index entry per view a
        // command rewrites. An existing store gets it at start-up, built in well under a second at 200,000 views.
        // The table keeps the name it had when the class was TicketView, so existing stores read on without a migration.
        store.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(Ticket)) return;
            foreach (var member in new[] { nameof(Ticket.Status), nameof(Ticket.RaisedAt), nameof(Ticket.Number), nameof(Ticket.Office) })
                mapping.DuplicateField(member);
        });
        store.Schema.For<Ticket>().DocumentAlias("ticketview").StartIndexesByTenantId()
            .Duplicate(x => x.Category, configure: PerTenant).Duplicate(x => x.Department, configure: PerTenant)
            .Duplicate(x => x.Bureau, configure: PerTenant).Duplicate(x => x.SubjectId, configure: PerTenant)
            .Index(x => x.Status)
            .Index([x => x.Status, x => x.RaisedAt, x => x.Number, x => x.Id])
            .Index([x => x.RaisedAt, x => x.Number, x => x.Id]);
        store.Storage.Add(new TicketNumberSchema(store));
    }

    private static void PerTenant(DocumentIndex index) => index.TenancyScope = TenancyScope.PerTenant;
}
