using Wolverine.Attributes;

namespace TicketLedger.Bureaus;

// The witness protocol with the bureaus (docs/messages.md, docs/audit.md): the office publishes each checkpoint, a
// bureau that keeps it checks the log grew append-only since the last one it kept and may send back a cosignature.

/// <summary>
/// Out, to queue bureau.&lt;code&gt;: a new signed checkpoint of the transparency log. Checkpoint is the signed note
/// text; TreeSize and RootHash (base64) repeat its body for routing and logs.
/// </summary>
[MessageIdentity("ticketledger.checkpoint-published.v1")]
public sealed record CheckpointPublished(string Office, string Bureau, string Origin, long TreeSize, string RootHash, string Checkpoint, DateTimeOffset IssuedAt);

/// <summary>
/// In, on office.inbox: a witness's C2SP cosignature of a checkpoint the log issued. Witness is its key name;
/// Signature the base64 of key id ‖ timestamp ‖ Ed25519 signature, as on its signature line.
/// </summary>
[MessageIdentity("ticketledger.checkpoint-cosigned.v1")]
public sealed record CheckpointCosigned(string? Witness, string? Origin, long TreeSize, string? RootHash, string? Signature);
