using JasperFx.CommandLine;
using TicketLedger.Hosting;

namespace TicketLedger.Audit;

public sealed class AuditInput : NetCoreInput
{
    public const string Verify = "verify";
    public const string Digest = "digest";

    [Description("verify: walk the chain (exit code 1 when broken); digest: print the head to record (after sealing what has committed)")]
    public string Action { get; set; } = Verify;

    [Description("A head recorded earlier as <sequence>:<hash>: also prove nothing up to it changed (in --database's chain)")]
    [FlagAlias("against", true)]
    public string? AgainstFlag { get; set; }

    [Description("Only this database's chain (a connection string name, as Offices:<i>:Database names it); default: every database holding offices")]
    [FlagAlias("database", true)]
    public string? DatabaseFlag { get; set; }
}

/// <summary>
/// `audit verify [--against seq:hash] [--database name]` and `audit digest`, on the databases the service uses: each
/// database holding offices has its own chain, and each is checked (docs/nodes.md).
/// </summary>
[Description("Verify the tamper-evident event chain, or print its head", Name = "audit")]
public sealed class AuditCommand : JasperFxAsyncCommand<AuditInput>
{
    public AuditCommand()
    {
        Usage("Verify the whole chain").NoArguments();
        Usage("verify, or digest to print the head to record").Arguments(x => x.Action);
    }

    public override async Task<bool> Execute(AuditInput input)
    {
        if (input.Action is not (AuditInput.Verify or AuditInput.Digest))
        {
            Console.Error.WriteLine($"Unknown action '{input.Action}': use '{AuditInput.Verify}' or '{AuditInput.Digest}'.");
            return false;
        }
        using var host = input.BuildHost();
        var databases = host.Services.GetRequiredService<OfficeDatabases>();
        var chains = host.Services.GetRequiredService<AuditChains>();
        var selected = chains.All;
        if (input.DatabaseFlag is not null)
        {
            if (databases.Find(input.DatabaseFlag) is not { } name)
            {
                Console.Error.WriteLine($"--database '{input.DatabaseFlag}' is not a database holding offices ({string.Join(", ", databases.Names)}).");
                return false;
            }
            selected = [chains.For(name)];
        }

        ChainAnchor? anchor = null;
        if (input.AgainstFlag is not null && !ChainAnchor.TryParse(input.AgainstFlag, out anchor))
        {
            Console.Error.WriteLine("--against must be '<sequence>:<64 hex digits>', as `audit digest` prints it");
            return false;
        }
        if (anchor is not null && selected.Count > 1)
        {
            Console.Error.WriteLine($"--against names a head of one chain: add --database ({string.Join(", ", databases.Names)}).");
            return false;
        }

        var valid = true;
        foreach (var chain in selected)
        {
            var whose = $"Database {chain.Database} (offices {string.Join(", ", chain.Offices)})";
            if (input.Action == AuditInput.Digest)
            {
                var head = await chain.HeadAsync();
                Console.WriteLine(head is null
                    ? $"{whose}: no event has been recorded yet."
                    : $"{whose}: chain head {head.Anchor} (recorded {head.At:O}, sealed {head.SealedAt:O})");
                continue;
            }
            var result = await chain.VerifyAsync(anchor);
            Console.WriteLine($"{whose}: {Describe(result, anchor)}");
            valid &= result.Valid;
        }
        return valid;
    }

    public static string Describe(ChainVerification result, ChainAnchor? anchor)
    {
        var walked = $"{result.EventsChecked} event(s) checked, last sequence {result.LastSequence?.ToString() ?? "-"}, sealed through {result.SealedThrough?.ToString() ?? "-"}";
        if (!result.Valid) return $"BROKEN at sequence {result.FirstBrokenSequence}: {result.Reason}\n{walked}";
        var proven = anchor is null ? "" : $"\nUnchanged up to the recorded head {anchor}.";
        return $"VALID: {walked}{proven}";
    }
}
