using TicketLedger.Transparency;

namespace TicketLedger.Verify;

/// <summary>The verifier's output: one line per check, so an auditor sees what held as well as what did not.</summary>
public sealed class Report(TextWriter output)
{
    public bool Failed { get; private set; }

    public bool Check(bool holds, string what)
    {
        output.WriteLine($"{(holds ? "ok    " : "FAILED")} {what}");
        Failed |= !holds;
        return holds;
    }

    public void Info(string line) => output.WriteLine($"       {line}");

    /// <summary>The log's signature on a checkpoint, and every witness's cosignature asked for; the parsed body when signed.</summary>
    public Checkpoint? Checkpoint(SignedNote note, NoteVerifier key, IReadOnlyList<NoteVerifier> witnesses)
    {
        var parsed = Transparency.Checkpoint.TryParse(note.Body, out var checkpoint);
        if (!Check(parsed && checkpoint!.Origin == key.Name, $"checkpoint body names the log {key.Name}")) return null;
        if (!Check(key.Signed(note), $"checkpoint of {checkpoint!.Size} leaves, root {Convert.ToHexStringLower(checkpoint.Root)}, is signed by {key.Name} (key id {Convert.ToHexStringLower(key.KeyId)})"))
            return null;
        foreach (var witness in witnesses)
        {
            var at = witness.Cosigned(note);
            Check(at is not null, $"cosigned by witness {witness.Name}" + (at is { } time ? $" at {time:O}" : ""));
        }
        return checkpoint;
    }
}
