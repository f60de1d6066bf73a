using JasperFx.Events.Projections;
using Marten;

namespace TicketLedger.Subjects;

public static class SubjectsModule
{
    public static StoreOptions AddSubjects(this StoreOptions store)
    {
        store.Projections.LiveStreamAggregation<Subject>();
        // Inline: a subject registered or updated by a request is readable by the very next request.
        store.Projections.Add<SubjectViewProjection>(ProjectionLifecycle.Inline);
        store.Schema.For<CreditCodeClaim>();
        return store;
    }
}
