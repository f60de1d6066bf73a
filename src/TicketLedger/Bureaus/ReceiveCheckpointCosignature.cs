using TicketLedger.Audit;
using TicketLedger.Transparency;

namespace TicketLedger.Bureaus;

/// <summary>
/// A witness's cosignature from office.inbox, stored only when a configured witness really signed a checkpoint this
/// log issued: anything else could never become valid by retrying, so it is dead-lettered with the reason.
/// </summary>
public static class ReceiveCheckpointCosignatureHandler
{
    public static async Task Handle(CheckpointCosigned message, TransparencyLogs logs, WitnessKeys witnesses, CancellationToken ct)
    {
        var witness = witnesses.Named(message.Witness) ?? throw new BureauMessageRejected($"'{message.Witness}' is not a configured witness (Audit:Witnesses).");
        var checkpoint = Parse(message);
        // The origin names the log, and so the database it lives in.
        if (logs.WithOrigin(checkpoint.Origin) is not { } log || !await log.IssuedAsync(checkpoint, ct))
            throw new BureauMessageRejected($"This log issued no checkpoint of size {message.TreeSize} with root {message.RootHash}.");

        var cosignature = new NoteSignature(witness.Name, Decode(message.Signature));
        if (witness.Cosigned(new SignedNote(checkpoint.Body, [cosignature])) is null)
            throw new BureauMessageRejected($"The signature is not {witness.Name}'s cosignature of that checkpoint.");

        await log.StoreCosignatureAsync(checkpoint, cosignature, ct);
    }

    private static Checkpoint Parse(CheckpointCosigned message)
    {
        var root = Decode(message.RootHash);
        if (string.IsNullOrEmpty(message.Origin) || root.Length != Merkle.HashSize)
            throw new BureauMessageRejected("origin and rootHash (base64 of 32 bytes) are required.");
        return new Checkpoint(message.Origin, message.TreeSize, root);
    }

    private static byte[] Decode(string? base64)
    {
        try
        {
            return Convert.FromBase64String(base64 ?? "");
        }
        catch (FormatException)
        {
            throw new BureauMessageRejected("rootHash and signature must be base64.");
        }
    }
}
