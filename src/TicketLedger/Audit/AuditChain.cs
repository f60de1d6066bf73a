using Marten;
using Marten.Storage;
using Npgsql;
using TicketLedger.Hosting;

namespace TicketLedger.Audit;

/// <summary>The sealed head of the chain: record it, and a later verify against it proves nothing up to it changed.</summary>
/// <param name="Sequence">The global sequence (seq_id) of the last sealed event.</param>
/// <param name="Hash">The chain hash at that event, lower-case hex.</param>
/// <param name="At">When that event was recorded.</param>
/// <param name="SealedAt">When it was sealed into the global chain.</param>
public sealed record ChainHead(long Sequence, string Hash, DateTimeOffset At, DateTimeOffset SealedAt)
{
    /// <summary>The form `audit verify --against` and `?against=` take.</summary>
    public string Anchor => $"{Sequence}:{Hash}";

    /// <summary>The database whose chain this is the head of (a connection string name), and the offices it holds.</summary>
    public string? Database { get; init; }

    public IReadOnlyList<string>? Offices { get; init; }
}

/// <summary>
/// The chain of one database for everyone outside it: seal what is safe to seal, verify, and name the head (at or below
/// a sequence, for answers computed from the events up to that sequence). Each database has its own event sequence and
/// so its own chain (docs/nodes.md).
/// </summary>
public sealed class AuditChain(IDocumentStore store, OfficeDatabases databases, string database)
{
    private const int SealBatch = 5_000;

    /// <summary>Heads found sealed exactly at a sequence: each office's ledger ends at its own, so one per office is kept.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, ChainHead> _sealedAt = new();

    private const int RememberedHeads = 256;

    /// <summary>The connection string name of the database.</summary>
    public string Database => database;

    public IReadOnlyList<string> Offices => databases.OfficesIn(database).Select(o => o.Code).ToList();

    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>
    /// Seals, in sequence order, every linked event below the highest sequence no running transaction can still
    /// commit under; returns how many were sealed. Safe to call from any number of processes at once.
    /// </summary>
    public async Task<int> SealAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var horizon = await EventHorizon.SafeAsync(connection, Schema, ct);
        var total = 0;
        while (true)
        {
            await using var seal = new NpgsqlCommand($"select {Schema}.tl_audit_seal_up_to(@horizon, @batch)", connection);
            seal.Parameters.AddWithValue("horizon", horizon);
            seal.Parameters.AddWithValue("batch", SealBatch);
            var sealedNow = (int)(await seal.ExecuteScalarAsync(ct))!;
            total += sealedNow;
            if (sealedNow < SealBatch) return total;
        }
    }

    /// <summary>The head of the chain after sealing what has committed, or null while no event is recorded.</summary>
    public Task<ChainHead?> HeadAsync(CancellationToken ct = default) => HeadAtOrBelowAsync(long.MaxValue, ct);

    /// <summary>
    /// The chain head at or below a sequence: the anchor for an answer computed from the events up to that
    /// sequence (say, a ledger as known at some time), whose chain hash covers every event up to it. Seals what
    /// has committed first, so the head is not held back by the sealer's interval; sealing only catches the
    /// chain up with events already recorded, so a read-only caller still changes nothing of the domain.
    /// </summary>
    public async Task<ChainHead?> HeadAtOrBelowAsync(long sequence, CancellationToken ct = default)
    {
        await SealAsync(ct);
        return await SealedHeadAtOrBelowAsync(sequence, ct);
    }

    /// <summary>
    /// The sealed head at or below a sequence, without sealing first: cheap enough for every ledger read. It may lag
    /// the events by the sealer's interval; the hash then covers the events up to its own, lower, sequence.
    /// </summary>
    public async Task<ChainHead?> SealedHeadAtOrBelowAsync(long sequence, CancellationToken ct = default)
    {
        var head = await ReadSealedHeadAtOrBelowAsync(sequence, ct);
        if (head is not null && head.Sequence == sequence)
        {
            // Bounded by forgetting everything at once: the offices' current heads come back on their next reads.
            if (_sealedAt.Count >= RememberedHeads) _sealedAt.Clear();
            _sealedAt[sequence] = head;
        }
        return head;
    }

    /// <summary>
    /// As <see cref="SealedHeadAtOrBelowAsync(long, CancellationToken)"/>, answered from memory when a head found sealed
    /// exactly at that sequence is asked for again: a sealed link never changes, so a ledger read needs no second round
    /// trip while no new event arrives in its office. The event's recording time is part of the key because a store
    /// reset (a test, a fresh database) reuses sequence numbers.
    /// </summary>
    public Task<ChainHead?> SealedHeadAtOrBelowAsync(long sequence, DateTimeOffset? recordedAt, CancellationToken ct = default) =>
        _sealedAt.TryGetValue(sequence, out var known) && known.At == recordedAt
            ? Task.FromResult<ChainHead?>(known)
            : SealedHeadAtOrBelowAsync(sequence, ct);

    /// <summary>
    /// The sealed heads at or below several sequences, by sequence, in one round trip: a district's ledger vouches for
    /// each office's figures, which were read up to different sequences. A sequence below the first seal has none.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, ChainHead>> SealedHeadsAtOrBelowAsync(IReadOnlyCollection<long> sequences, CancellationToken ct = default)
    {
        var heads = new Dictionary<long, ChainHead>();
        if (sequences.Count == 0) return heads;
        await using var connection = await OpenAsync(ct);
        // mt_events named first, as in the single read below.
        await using var query = new NpgsqlCommand($"""
            select q.seq, h.seq_id, h.chain_hash, h.at, h.sealed_at
              from unnest(@sequences) q(seq)
              cross join lateral (
                select s.seq_id, s.chain_hash, coalesce(e.timestamp, s.sealed_at) as at, s.sealed_at
                  from {Schema}.mt_events e right join {Schema}.tl_audit_seal s on s.seq_id = e.seq_id
                 where s.seq_id <= q.seq order by s.seq_id desc limit 1) h
            """, connection);
        query.Parameters.AddWithValue("sequences", sequences.Distinct().ToArray());
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            heads[reader.GetInt64(0)] = new ChainHead(reader.GetInt64(1), Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(2)),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4));
        return heads;
    }

    private async Task<ChainHead?> ReadSealedHeadAtOrBelowAsync(long sequence, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        // mt_events named first: tables are locked in the order a store reset truncates them (see ChainSql).
        await using var query = new NpgsqlCommand($"""
            select s.seq_id, s.chain_hash, coalesce(e.timestamp, s.sealed_at), s.sealed_at
              from {Schema}.mt_events e right join {Schema}.tl_audit_seal s on s.seq_id = e.seq_id
             where s.seq_id <= @sequence order by s.seq_id desc limit 1
            """, connection);
        query.Parameters.AddWithValue("sequence", sequence);
        await using var reader = await query.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new ChainHead(reader.GetInt64(0), Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(1)),
            reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3));
    }

    /// <summary>Each event's link hash (its content chained to its stream's previous event), by sequence.</summary>
    public async Task<IReadOnlyDictionary<long, string>> EventHashesAsync(IReadOnlyCollection<long> sequences, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var query = new NpgsqlCommand($"select seq_id, event_hash from {Schema}.tl_audit_link where seq_id = any(@sequences)", connection);
        query.Parameters.AddWithValue("sequences", sequences.ToArray());
        var hashes = new Dictionary<long, string>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) hashes[reader.GetInt64(0)] = Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(1));
        return hashes;
    }

    /// <summary>Walks both chains over every event; with an anchor, also proves the chain up to it is unchanged.</summary>
    public async Task<ChainVerification> VerifyAsync(ChainAnchor? against = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await ChainVerifier.VerifyAsync(connection, Schema, against, ct);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var marten = await databases.DatabaseAsync(database);
        // Creates the chain (and the event store it hangs on) on a fresh database, as Marten does for its own tables.
        await marten.EnsureStorageExistsAsync(typeof(ChainSchema), ct);
        var connection = marten.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync(ct);
        return connection;
    }
}

/// <summary>The chain of every database holding offices.</summary>
public sealed class AuditChains(IDocumentStore store, OfficeDatabases databases)
    : PerDatabase<AuditChain>(databases, name => new AuditChain(store, databases, name));
