using JasperFx.Events.Projections;
using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

public static class TicketsModule
{
    private static readonly string[] WithoutOwnIndex =
        [nameof(Ticket.Status), nameof(Ticket.RaisedAt), nameof(Ticket.Number), nameof(Ticket.Category), nameof(Ticket.Department), nameof(Ticket.Office)];

    /// <summary>The ticket read model is inline, so a GET right after a command sees it; numbering needs its counter table.</summary>
    public static void AddTickets(this StoreOptions store)
    {
        store.Events.AddEventTypes(TicketEvents.All);
        store.Projections.Add<TicketProjection>(ProjectionLifecycle.Inline, ProjectionPages.Large);
        // The list filters on these and pages newest first: real columns with b-tree indexes, not jsonb expressions, so
        // a filtered page reads an index range instead of scanning every view (benchmark 2026-11-28: 637 ms p99 at 200k).
        // Status and newest-first order lead two composite indexes ending in the id: a page's ids come from an
        // index-only scan, so a deep page skips index entries instead of view rows (page 500 at 40k: 41.6 ms p99 before).
        // The table keeps the name it had when the class was TicketView, so existing stores read on without a migration.
        store.Schema.For<Ticket>().DocumentAlias("ticketview")
            .Duplicate(x => x.Bureau).Duplicate(x => x.SubjectId)
            .Index([x => x.Status, x => x.RaisedAt, x => x.Number, x => x.Id])
            .Index([x => x.RaisedAt, x => x.Number, x => x.Id]);
        // Every command rewrites its ticket's view, and a changed indexed column (status, department) rules out a HOT
        // update, so each index costs every command an entry. These columns get none of their own: status and
        // raised_at lead the composite indexes, office is the tenant id, and number, category and department narrow a
        // newest-first page less than reading the composite index does. Subject and bureau keep theirs: they pick a few.
        store.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(Ticket)) return;
            foreach (var member in WithoutOwnIndex) mapping.DuplicateField(member, null, false);
        });
        store.Storage.ExtendedSchemaObjects.Add(TicketNumbers.Table(store.DatabaseSchemaName));
    }
}
