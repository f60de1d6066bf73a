using JasperFx.Events.Projections;
using Marten;

namespace TicketLedger.Tickets;

public static class TicketsModule
{
    /// <summary>The ticket read model is inline, so a GET right after a command sees it; numbering needs its counter table.</summary>
    public static void AddTickets(this StoreOptions store)
    {
        store.Projections.Add<TicketViewProjection>(ProjectionLifecycle.Inline);
        store.Schema.For<TicketView>().Index(x => x.RaisedAt).Index(x => x.SubjectId);
        store.Storage.ExtendedSchemaObjects.Add(TicketNumbers.Table(store.DatabaseSchemaName));
    }
}
