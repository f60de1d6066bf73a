using JasperFx.CommandLine;

namespace TicketLedger.Audit;

public sealed class AuditInput : NetCoreInput
{
    public const string Verify = "verify";
    public const string Digest = "digest";

    [Description("verify: walk the chain (exit code 1 when broken); digest: print the head to record (after sealing what has committed)")]
    public string Action { get; set; } = Verify;

    [Description("A head recorded earlier as <sequence>:<hash>: also prove nothing up to it changed")]
    [FlagAlias("against", true)]
    public string? AgainstFlag { get; set; }
}

/// <summary>`audit verify [--against seq:hash]` and `audit digest`, on the same database the service uses.</summary>
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
        var chain = host.Services.GetRequiredService<AuditChain>();
        if (input.Action == AuditInput.Digest)
        {
            var head = await chain.HeadAsync();
            Console.WriteLine(head is null ? "No event has been recorded yet." : $"Chain head: {head.Anchor} (recorded {head.At:O}, sealed {head.SealedAt:O})");
            return true;
        }

        ChainAnchor? anchor = null;
        if (input.AgainstFlag is not null && !ChainAnchor.TryParse(input.AgainstFlag, out anchor))
        {
            Console.Error.WriteLine("--against must be '<sequence>:<64 hex digits>', as `audit digest` prints it");
            return false;
        }
        var result = await chain.VerifyAsync(anchor);
        Console.WriteLine(Describe(result, anchor));
        return result.Valid;
    }

    public static string Describe(ChainVerification result, ChainAnchor? anchor)
    {
        var walked = $"{result.EventsChecked} event(s) checked, last sequence {result.LastSequence?.ToString() ?? "-"}, sealed through {result.SealedThrough?.ToString() ?? "-"}";
        if (!result.Valid) return $"BROKEN at sequence {result.FirstBrokenSequence}: {result.Reason}\n{walked}";
        var proven = anchor is null ? "" : $"\nUnchanged up to the recorded head {anchor}.";
        return $"VALID: {walked}{proven}";
    }
}
