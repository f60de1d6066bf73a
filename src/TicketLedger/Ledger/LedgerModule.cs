using JasperFx.Events.Projections;
using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Ledger;

public static class LedgerModule
{
    /// <summary>The async projection in the store, and <see cref="LedgerQuery"/> in the container for the endpoints and commands that read it.</summary>
    public static WebApplicationBuilder AddLedger(this WebApplicationBuilder builder)
    {
        var office = OfficeHosting.Of(builder);
        builder.Services.ConfigureMarten(store => store.AddLedger(office));
        builder.Services.AddScoped<LedgerQuery>();
        return builder;
    }

    private static void AddLedger(this StoreOptions store, Office office)
    {
        store.Projections.Add(new LedgerProjection(office), ProjectionLifecycle.Async, "Ledger", asyncOptions =>
        {
            ProjectionPages.Large(asyncOptions);
            foreach (var document in LedgerProjection.Documents) asyncOptions.DeleteViewTypeOnTeardown(document);
        });
        store.Schema.For<LedgerEntity>().Index(x => x.FirstResumedDay);
        store.Schema.For<LedgerDay>().Index(x => x.Office).Index(x => x.Day);
        store.Schema.For<LedgerRecordedDay>().Index(x => x.Office).Index(x => x.RecordedDay);
        store.Schema.For<LedgerRecording>().Index(x => x.Office).Index(x => x.To);
    }
}
