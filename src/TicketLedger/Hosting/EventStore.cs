using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Marten.Storage;
using Marten;
using Weasel.Core;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.Marten;

namespace TicketLedger.Hosting;

/// <summary>Marten as event store and document database, Wolverine on top of it with a durable inbox and outbox.</summary>
public static class EventStore
{
    public const string Schema = "ticketledger";

    public static WebApplicationBuilder AddEventStore(this WebApplicationBuilder builder, Action<StoreOptions> configureAreas)
    {
        var connectionString = builder.ResolveConnectionString();
        var offices = OfficeHosting.Of(builder);
        var connectionStrings = offices.Databases.ToDictionary(name => name,
            name => name == Office.MainDatabase ? connectionString : builder.Configuration.GetConnectionString(name)!);

        builder.Services.AddMarten(opts =>
            {
                if (offices.SpreadOverDatabases) opts.SpreadOverDatabases(offices, connectionStrings, connectionString);
                else opts.Connection(connectionString);
                opts.DatabaseSchemaName = Schema;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                opts.Events.StreamIdentity = StreamIdentity.AsGuid;
                opts.Events.MetadataConfig.CorrelationIdEnabled = true;
                opts.Events.MetadataConfig.CausationIdEnabled = true;
                opts.Events.MetadataConfig.UserNameEnabled = true;
                opts.Events.MetadataConfig.HeadersEnabled = true;
                // Every office is a tenant of one database: its events, streams and documents carry its code
                // (docs/offices.md). Documents that are district-wide by nature opt out where they are registered.
                opts.Events.TenancyStyle = TenancyStyle.Conjoined;
                opts.Policies.AllDocumentsAreMultiTenanted();
                opts.TenantIdStyle = TenantIdStyle.ForceLowerCase;
                // The store never replays a commit. Its replay sends the same compiled batch again, on whatever connection
                // it gets next, and Npgsql 9 then binds it to that connection's auto-prepared statements (npgsql#6432,
                // fixed in Npgsql 10.0.2): a raise lost to a deadlock came back as a protocol error. A command lost to a
                // race runs again from its first step instead (CommandRetries); an outage is a 503 the client retries.
                opts.ConfigureWritePolly(_ => { });
                configureAreas(opts);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // Wolverine, not Marten, decides where each async projection runs: on exactly one node of however many
            // share the database, and on another when that one dies (docs/nodes.md). Its own tables (nodes, leadership,
            // the outbox of messages sent outside any office) live in the main database.
            .IntegrateWithWolverine(wolverine =>
            {
                wolverine.UseWolverineManagedEventSubscriptionDistribution = true;
                if (offices.SpreadOverDatabases) wolverine.MainDatabaseConnectionString = connectionString;
            });
        // Ahead of every hosted service, Marten's schema migration included (Marten puts its own first).
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(new ConjoinedStreamKeys(connectionStrings.Values.ToList())));

        builder.Services.CritterStackDefaults(x =>
        {
            x.Development.GeneratedCodeMode = TypeLoadMode.Dynamic;
            x.Production.GeneratedCodeMode = TypeLoadMode.Static;
            // A fresh database (a new deployment, a CI run) gets its schema on start-up in every environment.
            x.Production.ResourceAutoCreate = AutoCreate.CreateOrUpdate;
        });

        builder.Services.AddWolverineHttp();
        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(Program).Assembly;
            opts.Policies.AutoApplyTransactions();
            opts.Policies.UseDurableLocalQueues();
            opts.Policies.UseDurableOutboxOnAllSendingEndpoints();
            opts.EnableRelayOfUserName = true;
            // The request's office is decided per request (Hosting/CurrentOffice), so it is resolved, never captured.
            opts.CodeGeneration.AlwaysUseServiceLocationFor<Office>();
            opts.UseConfiguredTransport(builder.Configuration);
            opts.UseNodeHealthSettings();
            opts.RetryLostRaces();
        });
        return builder;
    }

    /// <summary>
    /// Marten's database per tenant group: each database holds its offices, conjoined within it. Sessions are routed by
    /// office; the main database is Marten's default, which only Wolverine's own storage uses (docs/nodes.md).
    /// </summary>
    private static void SpreadOverDatabases(
        this StoreOptions opts, Offices offices, IReadOnlyDictionary<string, string> connectionStrings, string mainConnectionString)
    {
        RequireDistinctDatabases(connectionStrings);
        opts.MultiTenantedDatabases(databases =>
        {
            foreach (var (name, cs) in connectionStrings)
            {
                var codes = offices.In(name).Select(o => o.Code).ToArray();
                var database = databases.AddMultipleTenantDatabase(cs, OfficeDatabases.Identifier(name)).ForTenants(codes);
                if (name == Office.MainDatabase) database.AsDefault();
            }
            // The main database is Marten's default even when it holds no office: Wolverine's own tables live there.
            if (!connectionStrings.ContainsKey(Office.MainDatabase))
                databases.AddMultipleTenantDatabase(mainConnectionString, OfficeDatabases.Identifier(Office.MainDatabase)).ForTenants().AsDefault();
        });
    }

    /// <summary>
    /// Wolverine names a database's projection agents by host and database name only: two databases of the same name on
    /// one host (another port) would share agents, and one of them would never be projected.
    /// </summary>
    private static void RequireDistinctDatabases(IReadOnlyDictionary<string, string> connectionStrings)
    {
        var clashes = connectionStrings
            .GroupBy(c => { var b = new Npgsql.NpgsqlConnectionStringBuilder(c.Value); return $"{b.Host?.ToLowerInvariant()}/{b.Database}"; })
            .Where(g => g.Count() > 1).ToList();
        if (clashes.Count > 0)
            throw new InvalidOperationException("Each database holding offices needs its own host or database name: " + string.Join("; ",
                clashes.Select(g => $"ConnectionStrings:{string.Join(" and ConnectionStrings:", g.Select(c => c.Key))} are both {g.Key}")));
    }

    /// <summary>ConnectionStrings:Marten when set; otherwise the embedded cluster, started now and stopped with the host.</summary>
    private static string ResolveConnectionString(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration[Settings.ConnectionString];
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        var config = builder.Configuration;
        var options = new EmbeddedPostgresOptions();
        options = options with
        {
            DataDirectory = config[Settings.EmbeddedDataDirectory] is { Length: > 0 } dir ? dir : options.DataDirectory,
            BinDirectory = config[Settings.EmbeddedBinDirectory] is { Length: > 0 } bin ? bin : null,
            OsUser = config[Settings.EmbeddedOsUser] is { Length: > 0 } user ? user : options.OsUser,
            Database = config[Settings.EmbeddedDatabase] is { Length: > 0 } db ? db : options.Database,
        };
        var server = EmbeddedPostgres.Start(options);
        builder.Services.AddSingleton(server);
        builder.Services.AddHostedService<EmbeddedPostgresLifetime>();
        // CLI commands never run the host's stop sequence; stopping here too is harmless because Dispose is idempotent.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        Console.WriteLine($"Embedded PostgreSQL on 127.0.0.1:{server.Port}, data in {server.RootDirectory}");
        return server.ConnectionString();
    }
}

/// <summary>Registered before Marten and Wolverine, so it stops after them: the cluster goes last.</summary>
internal sealed class EmbeddedPostgresLifetime(EmbeddedPostgres server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        server.Dispose();
        return Task.CompletedTask;
    }
}
