using TicketLedger.Hosting;
using Marten;

namespace TicketLedger.Audit;

/// <summary>Registration: the schema feature in the store, the sealer and the chain queries in the container.</summary>
public static class AuditChainRegistration
{
    public static WebApplicationBuilder AddAuditChain(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Storage.Add(new ChainSchema(opts));
        });
        builder.Services.AddOptions<ChainSealerOptions>().Bind(builder.Configuration.GetSection(Settings.AuditSection))
            .Validate(o => o.SealEvery > TimeSpan.Zero, "Audit:SealEvery must be a positive time span, e.g. 00:00:01.")
            .ValidateOnStart();
        builder.Services.InitializeMartenWith<LegacyOffice>();
        builder.Services.AddSingleton<AuditChains>();
        builder.Services.AddHostedService<ChainSealer>();
        return builder;
    }
}
