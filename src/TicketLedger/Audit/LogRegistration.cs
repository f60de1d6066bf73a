using Marten;
using TicketLedger.Hosting;

namespace TicketLedger.Audit;

/// <summary>Registration of the transparency log: its tables in the store, its key, its writer.</summary>
public static class LogRegistration
{
    public static WebApplicationBuilder AddTransparencyLog(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts => opts.Storage.Add(new LogSchema(opts)));
        builder.Services.AddOptions<TransparencyLogOptions>().Bind(builder.Configuration.GetSection(Settings.AuditSection))
            .Validate(o => o.CheckpointEvery > TimeSpan.Zero, $"{Settings.AuditCheckpointEvery} must be a positive time span, e.g. 00:01:00.")
            .ValidateOnStart();
        builder.Services.AddSingleton(LogSigningKey.Load);
        builder.Services.AddSingleton(s => new WitnessKeys(LogSigningKey.Witnesses(
            s.GetRequiredService<Microsoft.Extensions.Options.IOptions<TransparencyLogOptions>>().Value)));
        builder.Services.AddSingleton<TransparencyLogs>();
        builder.Services.AddHostedService<LogWriter>();
        return builder;
    }

    /// <summary>Loads the signing key and the witnesses' keys before anything runs: without them the service stops here, saying why.</summary>
    public static void RequireLogKeys(this WebApplication app)
    {
        app.Services.GetRequiredService<LogSigningKey>();
        app.Services.GetRequiredService<WitnessKeys>();
    }
}
