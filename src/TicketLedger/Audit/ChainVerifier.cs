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
    bool Valid, long EventsChecked, long? LastSequence, long? FirstBrokenSequence, string? Reason, long? SealedThrough)
{
    /// <summary>The database whose chain this is (a connection string name), and the offices it holds.</summary>
    public string? Database { get; init; }

    public IReadOnlyList<string>? Offices { get; init; }
}

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
/// <para>
/// Marten's tombstones break the chain's assumptions by design (docs/audit.md, "Tombstones"): a failed append's
/// sequence numbers are filled, after the rollback, by placeholder events numbered by their sequence in a stream of
/// their own, so their stream has gaps and they may land below the sealed head. They are accepted only in exactly
/// the shape Marten writes, which records nothing: anything else typed a tombstone is tampering.
/// </para>
/// </summary>
internal static class ChainVerifier
{
    private static readonly byte[] Genesis = new byte[32];

    /// <summary>The type name Marten gives its tombstones (JasperFx.Events.Tombstone.Name).</summary>
    private static readonly string TombstoneType = JasperFx.Events.Tombstone.Name;

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
                   e.type = '{TombstoneType}',
                   case when e.type = '{TombstoneType}' then e.version = e.seq_id and e.data = jsonb_build_object() and e.bdata is null
                     and not exists (select 1 from {s}.mt_events o
                                      where o.tenant_id = e.tenant_id and o.stream_id = e.stream_id and o.type <> '{TombstoneType}') end,
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
                !reader.IsDBNull(6) && reader.GetBoolean(6), !reader.IsDBNull(7) && reader.GetBoolean(7),
                reader.GetBoolean(8), Text(reader, 9), Uuid(reader, 10), Int64(reader, 11), Bytes(reader, 12),
                Int64(reader, 13), Bytes(reader, 14),
                reader.GetBoolean(15), Int64(reader, 16), Bytes(reader, 17),
                Int64(reader, 18));
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
        bool TypedTombstone, bool IsMartenTombstone,
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
            if (r.TypedTombstone && !r.IsMartenTombstone)
                return (r.Seq, $"event {r.Seq} is typed a tombstone but is not one Marten writes (empty, numbered by its sequence, in a stream of tombstones only)");
            var version = r.Version!.Value;
            // The trigger chains to the stream's previous version when there is one. A tombstone stream is numbered by
            // sequence, so its events follow one another only when their sequences do; every other stream has no gap.
            var follows = r.PreviousLinkVersion == version - 1;
            if (version > 1 && !follows && !r.TypedTombstone)
                return (r.Seq, $"version {version - 1} of stream {r.StreamId} before event {r.Seq} is missing");
            var expected = SHA256.HashData([.. follows ? r.PreviousLinkHash! : Genesis, .. r.Canonical!]);
            if (expected.AsSpan().SequenceEqual(r.EventHash)) return null;
            // Two failed appends' tombstones are written by whichever transaction gets there first, so a tombstone may
            // have been chained before the one of the sequence below it existed, to the genesis.
            if (r.TypedTombstone && follows && SHA256.HashData([.. Genesis, .. r.Canonical!]).AsSpan().SequenceEqual(r.EventHash)) return null;
            return (r.Seq, $"event {r.Seq} (stream {r.StreamId}, version {version}) differs from what was recorded");
        }

        private (long, string)? CheckSeal(Row r)
        {
            // Marten writes a tombstone after the failed append's rollback, so the sealer may already have passed its
            // sequence as a hole; it stays outside the global chain, which it cannot change as it records nothing.
            if (!r.HasSeal)
                return r.Seq <= _sealedHead && !r.IsMartenTombstone
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
