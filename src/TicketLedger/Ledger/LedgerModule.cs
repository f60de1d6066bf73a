using JasperFx.Events.Projections;
using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

public static class LedgerModule
{
    public static void AddLedger(this StoreOptions store, Office office)
    {
        store.Projections.Add(new LedgerProjection(office), ProjectionLifecycle.Async, "Ledger", asyncOptions =>
        {
            // A page costs a few round trips whatever its size, and its documents are summed in memory first: larger
            // pages (default 500) mean fewer rewrites of the same totals, days and entities during catch-up and rebuild.
            asyncOptions.BatchSize = 5_000;
            asyncOptions.MaximumHopperSize = 20_000;
            foreach (var document in LedgerProjection.Documents) asyncOptions.DeleteViewTypeOnTeardown(document);
        });
        store.Schema.For<LedgerEntity>().Index(x => x.FirstResumedDay);
        store.Schema.For<LedgerDay>().Index(x => x.Office).Index(x => x.Day);
        store.Schema.For<LedgerRecordedDay>().Index(x => x.Office).Index(x => x.RecordedDay);
        store.Schema.For<LedgerRecording>().Index(x => x.Office).Index(x => x.To);
    }
}
