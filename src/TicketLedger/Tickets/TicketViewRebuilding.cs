using JasperFx.CodeGeneration;
using JasperFx.Core;
using JasperFx.Events;
using Wolverine.Attributes;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace TicketLedger.Tickets;

/// <summary>
/// A ticket with events but no inline view: only while a projection rebuild writes the views anew. A message about it
/// waits for the view (<see cref="WaitsForTicketViewAttribute"/>) instead of being dropped or refused as unknown.
/// </summary>
public sealed class TicketViewRebuilding(Guid ticketId) : Exception($"Ticket {ticketId} has events but no view: its projection is being rebuilt.")
{
    public static void ThrowIfRebuilding(IEventStream<Ticket> stream)
    {
        if (stream.Aggregate is null && stream.CurrentVersion > 0) throw new TicketViewRebuilding(stream.Id);
    }
}

/// <summary>Retries the handler's message after 5 s, 30 s, 2 min and 10 min while a ticket's view is being rebuilt.</summary>
public sealed class WaitsForTicketViewAttribute : ModifyHandlerChainAttribute
{
    public override void Modify(HandlerChain chain, GenerationRules rules) =>
        chain.OnExceptionOfType(typeof(TicketViewRebuilding)).ScheduleRetry(5.Seconds(), 30.Seconds(), 2.Minutes(), 10.Minutes());
}
