using JasperFx;

namespace TicketLedger.Hosting;

/// <summary>
/// `serve` (the default) runs the web service; every other command goes to the JasperFx command line: the built-in
/// db-apply, projections, codegen, describe, … and ours (`seed`, `ledger`), each a JasperFx command class. `serve` is
/// handled here because JasperFx bypasses its own command line whenever ASP.NET flags such as --urls are present,
/// which would drop our `--seed` flag.
/// </summary>
public sealed record CommandLine(string Name, string[] HostArgs, string[] CommandArgs, bool Seed)
{
    public const string Serve = "serve";
    public const string SeedFlag = "--seed";

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || args[0] == Serve)
        {
            var rest = (args.Length > 0 && args[0] == Serve ? args[1..] : args).Where(a => a != SeedFlag).ToArray();
            return new CommandLine(Serve, rest, rest, args.Contains(SeedFlag));
        }
        return new CommandLine(args[0], [], args, false);
    }

    /// <summary>
    /// The builder's options. appsettings.json sits beside the executable, and systemd units and containers start the
    /// service from any directory: the content root is the executable's folder unless --contentRoot or
    /// DOTNET_CONTENTROOT / ASPNETCORE_CONTENTROOT names another. `codegen` keeps the working directory: it writes
    /// Internal/Generated below the content root, into the project it is run from.
    /// </summary>
    public WebApplicationOptions BuilderOptions() => new()
    {
        Args = HostArgs,
        ContentRootPath = Name == "codegen" || ContentRootGiven(HostArgs) ? null : AppContext.BaseDirectory,
    };

    private static bool ContentRootGiven(string[] args) =>
        args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ||
        new[] { "DOTNET_CONTENTROOT", "ASPNETCORE_CONTENTROOT" }.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));

    /// <param name="seed">What `serve --seed` does once the service listens, before it serves until shut down.</param>
    public async Task<int> Run(WebApplication app, Func<WebApplication, CancellationToken, Task> seed)
    {
        if (Name != Serve) return await app.RunJasperFxCommands(CommandArgs);
        await app.StartAsync();
        if (Seed) await seed(app, app.Lifetime.ApplicationStopping);
        await app.WaitForShutdownAsync();
        return 0;
    }
}
