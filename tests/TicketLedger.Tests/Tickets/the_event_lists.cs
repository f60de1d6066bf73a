using TicketLedger.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Tickets;

/// <summary>The lists each area registers with Marten name every event of the area, so none is met unregistered.</summary>
public sealed class the_event_lists
{
    private static Type[] Implementing(Type contract, string area) => typeof(IBusinessEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(contract) && t.Namespace == $"TicketLedger.{area}").ToArray();

    [Fact]
    public void the_ticket_events_list_every_ticket_event() =>
        Assert.Equal(Implementing(typeof(ITicketEvent), "Tickets").OrderBy(t => t.Name), TicketEvents.All.OrderBy(t => t.Name));

    [Fact]
    public void the_subject_events_list_every_subject_event() =>
        Assert.Equal(Implementing(typeof(IBusinessEvent), "Subjects").OrderBy(t => t.Name), SubjectEvents.All.OrderBy(t => t.Name));

    [Fact]
    public void every_business_event_belongs_to_one_list() =>
        Assert.Equal(Implementing(typeof(IBusinessEvent), "Tickets").Length + Implementing(typeof(IBusinessEvent), "Subjects").Length,
            typeof(IBusinessEvent).Assembly.GetTypes().Count(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(typeof(IBusinessEvent))));
}
