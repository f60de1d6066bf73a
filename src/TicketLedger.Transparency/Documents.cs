using System.Text.Json;

namespace TicketLedger.Transparency;

// The JSON the service serves and the verifier reads (docs/audit.md): one set of records on both sides of the wire.

/// <summary>GET /api/audit/public-key.</summary>
public sealed record PublicKeyDocument(string Name, string KeyId, string PublicKey)
{
    public static PublicKeyDocument Of(NoteVerifier key) =>
        new(key.Name, Convert.ToHexStringLower(key.KeyId), Convert.ToBase64String(key.PublicKey));

    public NoteVerifier ToVerifier() => new(Name, Convert.FromBase64String(PublicKey));
}

/// <summary>GET /api/audit/proof/inclusion: hashes in lower-case hex.</summary>
public sealed record InclusionProof(long Index, long Size, string LeafHash, IReadOnlyList<string> Path);

/// <summary>GET /api/audit/proof/consistency.</summary>
public sealed record ConsistencyProof(long From, long To, IReadOnlyList<string> Path);

/// <summary>One event of a ticket with its leaf (base64) and inclusion path against the bundle's checkpoint.</summary>
public sealed record EvidenceEvent(long Sequence, long Index, string Leaf, IReadOnlyList<string> Path);

/// <summary>GET /api/tickets/{id}/evidence.</summary>
public sealed record EvidenceBundle(string Checkpoint, IReadOnlyList<EvidenceEvent> Events);

/// <summary>
/// One line of GET /api/audit/export (JSON lines): every field of the leaf at <see cref="Index"/>, with the event's
/// stored JSON as the exact text whose SHA-256 the leaf holds, so the leaf can be rebuilt and the event read.
/// </summary>
public sealed record ExportedEvent(
    long Index, long Sequence, string Office, Guid EventId, Guid StreamId, long Version, string Type,
    DateTimeOffset RecordedAt, string? Actor, string? CorrelationId, string? CausationId, string Data)
{
    public EventLeaf ToLeaf() => new(Office, Sequence, EventId, StreamId, Version, Type, RecordedAt, Actor, CorrelationId,
        CausationId, EventLeaf.HashOfData(Data));
}

public static class Documents
{
    /// <summary>camelCase, as the service writes every response.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<string> Hex(IEnumerable<byte[]> hashes) => hashes.Select(Convert.ToHexStringLower).ToList();

    public static IReadOnlyList<byte[]> FromHex(IEnumerable<string> hashes) => hashes.Select(Convert.FromHexString).ToList();
}
