using System.Text.Json;
using TicketLedger.Transparency;

namespace TicketLedger.Verify;

public sealed class UsageException(string message) : Exception(message);

/// <summary>The subcommands; each prints one line per check, "ok" or "FAILED", and returns the exit code.</summary>
public static class Cli
{
    public const string Usage = """
        usage: ticketledger-verify <command> --key <public key> [--witness <key>]... <files>
          checkpoint  <checkpoint.txt>                          the log's signature (and witnesses' cosignatures) on a checkpoint
          evidence    <evidence.json> [--ticket <id>]           a ticket's evidence bundle (GET /api/tickets/{id}/evidence)
          consistency <old-checkpoint.txt> <new-checkpoint.txt> <proof.json>
                                                                the new checkpoint extends the old one (GET /api/audit/proof/consistency)
          export      <checkpoint.txt> <export.jsonl>            rebuild the tree from GET /api/audit/export, compare with the
                                                                checkpoint, and recount the tickets resolved and pending
        <public key>: the JSON of GET /api/audit/public-key (a file or the text), or a verifier key name+keyid+base64.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        var (command, files, options) = Parse(args);
        var key = Key(Required(options, "key"));
        var witnesses = options.GetValueOrDefault("witness", []).Select(Key).ToList();
        var report = new Report(output);
        switch (command)
        {
            case "checkpoint":
                Expect(files, 1);
                report.Checkpoint(ReadCheckpoint(files[0]), key, witnesses);
                break;
            case "evidence":
                Expect(files, 1);
                var ticket = options.TryGetValue("ticket", out var t) ? Guid.Parse(t[^1]) : (Guid?)null;
                Checks.Evidence(report, Json<EvidenceBundle>(files[0]), key, witnesses, ticket);
                break;
            case "consistency":
                Expect(files, 3);
                Checks.Consistency(report, ReadCheckpoint(files[0]), ReadCheckpoint(files[1]), Json<ConsistencyProof>(files[2]), key);
                break;
            case "export":
                Expect(files, 2);
                Checks.Export(report, ReadCheckpoint(files[0]), files[1], key, witnesses);
                break;
            default:
                throw new UsageException($"Unknown command '{command}'.");
        }
        return report.Failed ? 1 : 0;
    }

    private static (string Command, List<string> Files, Dictionary<string, List<string>> Options) Parse(string[] args)
    {
        if (args.Length == 0) throw new UsageException("No command given.");
        var files = new List<string>();
        var options = new Dictionary<string, List<string>>();
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) files.Add(args[i]);
            else if (i + 1 < args.Length) (options.TryGetValue(args[i][2..], out var list) ? list : options[args[i][2..]] = []).Add(args[++i]);
            else throw new UsageException($"{args[i]} needs a value.");
        }
        return (args[0], files, options);
    }

    private static string Required(Dictionary<string, List<string>> options, string name) =>
        options.TryGetValue(name, out var values) ? values[^1] : throw new UsageException($"--{name} is required.");

    private static void Expect(List<string> files, int count)
    {
        if (files.Count != count) throw new UsageException($"Expected {count} file(s), got {files.Count}.");
    }

    private static NoteVerifier Key(string value)
    {
        var text = File.Exists(value) ? File.ReadAllText(value).Trim() : value.Trim();
        if (NoteVerifier.TryParseVerifierKey(text, out var verifier)) return verifier;
        try
        {
            return JsonSerializer.Deserialize<PublicKeyDocument>(text, Documents.Json)!.ToVerifier();
        }
        catch (Exception e) when (e is JsonException or FormatException or NullReferenceException)
        {
            throw new UsageException($"'{value}' is neither the JSON of GET /api/audit/public-key nor a verifier key name+keyid+base64.");
        }
    }

    private static SignedNote ReadCheckpoint(string path) =>
        SignedNote.TryParse(File.ReadAllText(path), out var note) ? note : throw new UsageException($"{path} is not a signed note.");

    private static T Json<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Documents.Json) ?? throw new UsageException($"{path} is empty.");
}
