using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace TicketLedger.Audit;

/// <summary>What a verify found. FirstBrokenSequence and Reason are set exactly when Valid is false.</summary>
/// <param name="EventsChecked">Events present in the store and walked.</param>
/// <param name="LastSequence">The last sequence walked.</param>
/// <param name="SealedThrough">The sealed head: events above it are covered by their stream chain only, until sealed.</param>
public sealed record ChainVerification(
    bool Valid, long EventsChecked, long? LastSequence, long? FirstBrokenSequence, string? Reason, long? SealedThrough);

/// <summary>A head recorded earlier, as `sequence:hash`.</summary>
public sealed record ChainAnchor(long Sequence, byte[] Hash)
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out ChainAnchor? anchor)
    {
        anchor = null;
        var parts = text?.Trim().Split(':');
        if (parts is not { Length: 2 }
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || parts[1].Length != 64 || !parts[1].All(Uri.IsHexDigit)) return false;
        anchor = new ChainAnchor(sequence, Convert.FromHexString(parts[1]));
        return true;
    }

    public override string ToString() => $"{Sequence}:{Convert.ToHexStringLower(Hash)}";
}

/// <summary>
/// Recomputes both chains from the events as they are now and compares with what was written when they were
/// appended and sealed. The canonical content comes from the same SQL function the trigger used; the chaining
/// is recomputed here, independently of the database code that wrote it.
/// </summary>
internal static class ChainVerifier
{
    private static readonly byte[] Genesis = new byte[32];

    public static async Task<ChainVerification> VerifyAsync(NpgsqlConnection connection, string s, ChainAnchor? against, CancellationToken ct)
    {
        // One statement, one snapshot: the events, their links and their seals side by side in sequence order. The
        // tables are named in the order a store reset truncates them, so the two wait for each other without deadlock.
        await using var walk = new NpgsqlCommand($"""
            with ids as (
              select seq_id from {s}.mt_events union select seq_id from {s}.tl_audit_link union select seq_id from {s}.tl_audit_seal
            )
            select i.seq_id,
                   e.seq_id is not null, e.tenant_id, e.stream_id, e.version,
                   case when e.seq_id is not null then {s}.tl_audit_canonical(e) end,
                   l.seq_id is not null, l.tenant_id, l.stream_id, l.version, l.event_hash,
                   lag(l.version) over w, lag(l.event_hash) over w,
                   s.seq_id is not null, s.prev_seq, s.chain_hash,
                   (select max(seq_id) from {s}.tl_audit_seal)
              from ids i
              left join {s}.mt_events e on e.seq_id = i.seq_id
              left join {s}.tl_audit_link l on l.seq_id = i.seq_id
              left join {s}.tl_audit_seal s on s.seq_id = i.seq_id
            window w as (partition by l.tenant_id, l.stream_id order by l.version)
             order by i.seq_id
            """, connection);
        await using var reader = await walk.ExecuteReaderAsync(ct);

        var walker = new Walker(against);
        while (await reader.ReadAsync(ct))
        {
            var row = new Row(
                reader.GetInt64(0),
                reader.GetBoolean(1), Text(reader, 2), Uuid(reader, 3), Int64(reader, 4), Bytes(reader, 5),
                reader.GetBoolean(6), Text(reader, 7), Uuid(reader, 8), Int64(reader, 9), Bytes(reader, 10),
                Int64(reader, 11), Bytes(reader, 12),
                reader.GetBoolean(13), Int64(reader, 14), Bytes(reader, 15),
                Int64(reader, 16));
            if (!walker.Check(row)) break;
        }
        return walker.Result();
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static Guid? Uuid(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetGuid(i);
    private static long? Int64(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
    private static byte[]? Bytes(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<byte[]>(i);

    private sealed record Row(
        long Seq,
        bool HasEvent, string? TenantId, Guid? StreamId, long? Version, byte[]? Canonical,
        bool HasLink, string? LinkTenantId, Guid? LinkStreamId, long? LinkVersion, byte[]? EventHash,
        long? PreviousLinkVersion, byte[]? PreviousLinkHash,
        bool HasSeal, long? PrevSeq, byte[]? ChainHash,
        long? SealedHead);

    private sealed class Walker(ChainAnchor? against)
    {
        private long _checked;
        private long? _last;
        private long? _sealedHead;
        private long? _lastSealed;
        private byte[] _chain = Genesis;
        private bool _anchorSeen;
        private (long Sequence, string Reason)? _broken;

        public bool Check(Row row)
        {
            _sealedHead = row.SealedHead;
            _broken = CheckEvent(row) ?? CheckSeal(row) ?? CheckAnchor(row);
            if (_broken is not null) return false;
            if (row.HasEvent) _checked++;
            _last = row.Seq;
            return true;
        }

        public ChainVerification Result()
        {
            if (_broken is null && against is not null && !_anchorSeen)
                _broken = (against.Sequence, $"the recorded head {against.Sequence} is not in the sealed chain: it was removed, or never sealed");
            return new ChainVerification(_broken is null, _checked, _last, _broken?.Sequence, _broken?.Reason, _sealedHead);
        }

        private static (long, string)? CheckEvent(Row r)
        {
            if (!r.HasEvent) return (r.Seq, $"event {r.Seq} was removed: its chain entry remains");
            if (!r.HasLink) return (r.Seq, $"event {r.Seq} has no chain link: it was written past the append trigger");
            if (r.LinkTenantId != r.TenantId || r.LinkStreamId != r.StreamId || r.LinkVersion != r.Version)
                return (r.Seq, $"event {r.Seq} is not the event its chain link was made for");
            var version = r.Version!.Value;
            if (version > 1 && r.PreviousLinkVersion != version - 1)
                return (r.Seq, $"version {version - 1} of stream {r.StreamId} before event {r.Seq} is missing");
            var expected = SHA256.HashData([.. version > 1 ? r.PreviousLinkHash! : Genesis, .. r.Canonical!]);
            return expected.AsSpan().SequenceEqual(r.EventHash)
                ? null
                : (r.Seq, $"event {r.Seq} (stream {r.StreamId}, version {version}) differs from what was recorded");
        }

        private (long, string)? CheckSeal(Row r)
        {
            if (!r.HasSeal)
                return r.Seq <= _sealedHead
                    ? (r.Seq, $"event {r.Seq} was inserted after the chain was sealed past it")
                    : null;
            if (r.PrevSeq != _lastSealed)
                return r.PrevSeq > (_lastSealed ?? 0)
                    ? (r.PrevSeq!.Value, $"event {r.PrevSeq} was removed: event {r.Seq} was sealed after it")
                    : (r.Seq, $"the seal of event {r.Seq} does not follow event {_lastSealed}");
            Span<byte> sequence = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(sequence, r.Seq);
            var expected = SHA256.HashData([.. _chain, .. sequence, .. r.EventHash!]);
            if (!expected.AsSpan().SequenceEqual(r.ChainHash)) return (r.Seq, $"the seal of event {r.Seq} does not match the chain");
            _chain = expected;
            _lastSealed = r.Seq;
            return null;
        }

        private (long, string)? CheckAnchor(Row r)
        {
            if (against is null || r.Seq != against.Sequence) return null;
            _anchorSeen = r.HasSeal;
            return r.HasSeal && !_chain.AsSpan().SequenceEqual(against.Hash)
                ? (r.Seq, $"the chain up to {r.Seq} is not the one recorded: an event at or before it was changed and the chain rebuilt")
                : null;
        }
    }
}
