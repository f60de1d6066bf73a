using JasperFx.Events.Projections;
using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Subjects;

public static class SubjectsModule
{
    public static StoreOptions AddSubjects(this StoreOptions store)
    {
        store.Events.AddEventTypes(SubjectEvents.All);
        store.Projections.LiveStreamAggregation<Subject>();
        // Inline: a subject registered or updated by a request is readable by the very next request.
        store.Projections.Add<SubjectViewProjection>(ProjectionLifecycle.Inline, ProjectionPages.Large);
        store.Schema.For<CreditCodeClaim>();
        return store;
    }
}
