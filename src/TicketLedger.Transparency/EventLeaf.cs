using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TicketLedger.Transparency;

/// <summary>
/// What one leaf of the log says about one row of the event table, byte for byte as docs/audit.md specifies
/// (format 1): every field big-endian, strings as a 2-byte length and UTF-8, an absent string as the empty string, the
/// recording time as microseconds since the Unix epoch (UTC), and the event's stored JSON by its SHA-256.
/// </summary>
public sealed record EventLeaf(
    string Office, long Sequence, Guid EventId, Guid StreamId, long Version, string Type, DateTimeOffset RecordedAt,
    string? Actor, string? CorrelationId, string? CausationId, byte[] DataHash)
{
    public const byte Format = 1;

    /// <summary>SHA-256 of the UTF-8 bytes of the event's JSON exactly as the database prints it (jsonb text).</summary>
    public static byte[] HashOfData(string json) => SHA256.HashData(Encoding.UTF8.GetBytes(json));

    public static long Microseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public byte[] Encode()
    {
        var buffer = new MemoryStream();
        buffer.WriteByte(Format);
        WriteString(buffer, Office);
        WriteInt64(buffer, Sequence);
        buffer.Write(EventId.ToByteArray(bigEndian: true));
        buffer.Write(StreamId.ToByteArray(bigEndian: true));
        WriteInt64(buffer, Version);
        WriteString(buffer, Type);
        WriteInt64(buffer, Microseconds(RecordedAt));
        WriteString(buffer, Actor ?? "");
        WriteString(buffer, CorrelationId ?? "");
        WriteString(buffer, CausationId ?? "");
        if (DataHash.Length != 32) throw new ArgumentException("The data hash is a SHA-256 (32 bytes).");
        buffer.Write(DataHash);
        return buffer.ToArray();
    }

    public static EventLeaf Decode(ReadOnlySpan<byte> leaf)
    {
        var reader = new Reader(leaf.ToArray());
        if (reader.Byte() != Format) throw new FormatException("Not a format 1 event leaf.");
        var decoded = new EventLeaf(
            reader.String(), reader.Int64(), reader.Guid(), reader.Guid(), reader.Int64(), reader.String(),
            DateTimeOffset.UnixEpoch.AddTicks(reader.Int64() * 10), reader.String(), reader.String(), reader.String(), reader.Bytes(32));
        if (!reader.AtEnd) throw new FormatException("Trailing bytes after the event leaf.");
        return decoded;
    }

    private static void WriteInt64(Stream s, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        s.Write(bytes);
    }

    private static void WriteString(Stream s, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > ushort.MaxValue) throw new ArgumentException("A leaf string is at most 65,535 UTF-8 bytes.");
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)bytes.Length);
        s.Write(length);
        s.Write(bytes);
    }

    private sealed class Reader(byte[] bytes)
    {
        private int _at;

        public bool AtEnd => _at == bytes.Length;

        public byte Byte() => Bytes(1)[0];

        public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Bytes(8));

        public Guid Guid() => new(Bytes(16), bigEndian: true);

        public string String() => Encoding.UTF8.GetString(Bytes(BinaryPrimitives.ReadUInt16BigEndian(Bytes(2))));

        public byte[] Bytes(int count)
        {
            if (_at + count > bytes.Length) throw new FormatException("The event leaf is cut short.");
            var slice = bytes[_at..(_at + count)];
            _at += count;
            return slice;
        }
    }
}
