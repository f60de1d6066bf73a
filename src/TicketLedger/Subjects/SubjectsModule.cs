using JasperFx.Events.Projections;
using Marten;

namespace TicketLedger.Subjects;

public static class SubjectsModule
{
    public static StoreOptions AddSubjects(this StoreOptions store)
    {
        store.Projections.LiveStreamAggregation<Subject>();
        // Inline: a subject registered or updated by a request is readable by the very next request.
        // Pages of 5,000 events when rebuilt (default 500), as the ticket view.
        store.Projections.Add<SubjectViewProjection>(ProjectionLifecycle.Inline, rebuild =>
        {
            rebuild.BatchSize = 5_000;
            rebuild.MaximumHopperSize = 20_000;
        });
        store.Schema.For<CreditCodeClaim>();
        return store;
    }
}
