using JasperFx;

namespace TicketLedger.Hosting;

/// <summary>
/// `serve` (the default) runs the web service; every other command goes to the JasperFx command line
/// (db-apply, projections, codegen, describe, …). `serve` is handled here because JasperFx bypasses its own
/// command line whenever ASP.NET flags such as --urls are present, which would drop our flags.
/// </summary>
public sealed record CommandLine(string Name, string[] HostArgs, string[] CommandArgs)
{
    public const string Serve = "serve";

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || args[0] == Serve)
        {
            var rest = args.Length > 0 && args[0] == Serve ? args[1..] : args;
            return new CommandLine(Serve, rest, rest);
        }
        return new CommandLine(args[0], [], args);
    }

    public async Task<int> Run(WebApplication app)
    {
        if (Name != Serve) return await app.RunJasperFxCommands(CommandArgs);
        await app.RunAsync();
        return 0;
    }
}
