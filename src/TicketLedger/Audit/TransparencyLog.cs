using System.Runtime.CompilerServices;
using Marten;
using Marten.Storage;
using Npgsql;
using NpgsqlTypes;
using TicketLedger.Hosting;
using TicketLedger.Transparency;

namespace TicketLedger.Audit;

/// <summary>A checkpoint as issued, with the witnesses' cosignature lines stored for it since.</summary>
public sealed record IssuedCheckpoint(Checkpoint Checkpoint, SignedNote Note);

/// <summary>
/// The RFC 9162 Merkle tree over the event table (docs/audit.md): one leaf per row of mt_events in sequence order,
/// tombstones of failed appends included, so the tree covers the event log exactly as it is stored. Leaves are appended
/// by one writer at a time (an advisory lock) up to the sequence no running transaction can still fill in, and every
/// complete perfect subtree's hash is stored with them in the same transaction, which is also the writer's progress.
/// Each database has its own event sequence and so its own log, signed by the deployment's key under its own origin
/// (docs/nodes.md).
/// </summary>
public sealed class TransparencyLog(IDocumentStore store, OfficeDatabases databases, string database, NoteSigner signer)
{
    /// <summary>Serialises leaf writers across processes; distinct from the chain sealer's key.</summary>
    private const long WriterLockKey = 7_424_011_805_772;

    /// <summary>Serialises checkpoint issuers across nodes, so a tree head is signed and announced to the bureaus once.</summary>
    private const long IssuerLockKey = 7_424_011_805_774;
    private const int AppendBatch = 5_000;

    private string S => store.Options.Events.DatabaseSchemaName;

    /// <summary>
    /// The event columns a leaf is made of, in the order <see cref="ReadEvent"/> reads them. The office is the one the
    /// event was recorded under, as the chain hashes it (<see cref="ChainSql.RecordedTenant"/>).
    /// </summary>
    private string EventColumns =>
        $"e.seq_id, {ChainSql.RecordedTenant(S, "e")}, e.id, e.stream_id, e.version, e.type, e.timestamp, e.user_name, e.correlation_id, e.causation_id, e.data::text";

    public NoteVerifier PublicKey => signer.Verifier;

    /// <summary>The log's name in its checkpoints.</summary>
    public string Origin => signer.Verifier.Name;

    /// <summary>The connection string name of the database whose events this log holds.</summary>
    public string Database => database;

    /// <summary>Appends a leaf for every event up to the safe horizon; returns how many. Safe from any number of processes.</summary>
    public async Task<int> AppendLeavesAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var horizon = await EventHorizon.SafeAsync(connection, S, ct);
        var total = 0;
        while (true)
        {
            var appended = await AppendBatchAsync(connection, horizon, ct);
            total += appended;
            if (appended < AppendBatch) return total;
        }
    }

    private async Task<int> AppendBatchAsync(NpgsqlConnection connection, long horizon, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // mt_events first, as a store reset's truncate takes them, so the two wait for each other instead of deadlocking.
        await ExecuteAsync(connection, $"select pg_advisory_xact_lock({WriterLockKey}); lock table {S}.mt_events in access share mode", ct);

        var (size, lastSequence) = await HeadAsync(connection, ct);
        var frontier = MerkleFrontier.Resume(size, await NodesAsync(connection, MerkleFrontier.NodesOf(size), ct));

        await using var read = new NpgsqlCommand(
            $"select {EventColumns} from {S}.mt_events e where e.seq_id > @after and e.seq_id <= @horizon order by e.seq_id limit {AppendBatch}", connection);
        read.Parameters.AddWithValue("after", lastSequence);
        read.Parameters.AddWithValue("horizon", horizon);
        var sequences = new List<long>();
        var nodes = new List<(TreeNode Node, byte[] Hash)>();
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (leaf, _) = ReadEvent(reader);
                sequences.Add(leaf.Sequence);
                nodes.AddRange(frontier.Append(Merkle.LeafHash(leaf.Encode())));
            }
        }
        if (sequences.Count == 0) return 0;

        await using var insert = new NpgsqlCommand($"""
            insert into {S}.{LogSchema.Leaves} (leaf_index, seq_id)
            select @size + i - 1, s from unnest(@sequences) with ordinality as t(s, i);
            insert into {S}.{LogSchema.Nodes} (level, node_index, hash)
            select * from unnest(@levels, @indexes, @hashes);
            """, connection);
        insert.Parameters.AddWithValue("size", size);
        insert.Parameters.AddWithValue("sequences", sequences.ToArray());
        insert.Parameters.AddWithValue("levels", nodes.Select(n => n.Node.Level).ToArray());
        insert.Parameters.AddWithValue("indexes", nodes.Select(n => n.Node.Index).ToArray());
        insert.Parameters.Add(new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => n.Hash).ToArray() });
        await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return sequences.Count;
    }

    /// <summary>
    /// The latest checkpoint after logging what has committed and issuing a checkpoint of it when the tree grew: what an
    /// auditor asking now should get, rather than a checkpoint up to a minute old. Publishing goes through the bus, so
    /// the bureaus hear of it as of any other.
    /// </summary>
    public async Task<IssuedCheckpoint?> CatchUpAsync(Wolverine.IMessageBus bus, CancellationToken ct = default)
    {
        await AppendLeavesAsync(ct);
        await IssueCheckpointAsync(bus, ct);
        return await LatestCheckpointAsync(ct);
    }

    /// <summary>
    /// Issues a checkpoint when the tree grew, in a session of one of the database's offices: the checkpoint row and the
    /// messages announcing it then commit together in this database, outbox included. One issuer at a time across the
    /// nodes (a session-level advisory lock held around the whole invocation): the next finds the head already issued.
    /// </summary>
    public async Task IssueCheckpointAsync(Wolverine.IMessageBus bus, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, $"select pg_advisory_lock({IssuerLockKey})", ct);
        try
        {
            await bus.InvokeForTenantAsync(databases.AnyOfficeIn(database).Code, new IssueCheckpoint(database), ct);
        }
        finally
        {
            await ExecuteAsync(connection, $"select pg_advisory_unlock({IssuerLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The tree as stored now: its size and root.</summary>
    public async Task<Checkpoint> TreeHeadAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var (size, _) = await HeadAsync(connection, ct);
        var root = Merkle.Root(size, await NodesAsync(connection, MerkleFrontier.NodesOf(size), ct));
        return new Checkpoint(Origin, size, root);
    }

    /// <summary>The checkpoint this key issued last, with its stored cosignatures, or null before the first.</summary>
    public async Task<IssuedCheckpoint?> LatestCheckpointAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var query = new NpgsqlCommand($"""
            select c.note, coalesce(array_agg(w.signature_line order by w.witness) filter (where w.witness is not null), '{"{}"}')
              from {S}.{LogSchema.Checkpoints} c
              left join {S}.{LogSchema.Cosignatures} w on w.tree_size = c.tree_size and w.root_hash = c.root_hash
             where c.key_id = @key
             group by c.tree_size, c.key_id, c.note
             order by c.tree_size desc limit 1
            """, connection);
        query.Parameters.AddWithValue("key", PublicKey.KeyId);
        await using var reader = await query.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        SignedNote.TryParse(reader.GetString(0), out var note);
        Checkpoint.TryParse(note!.Body, out var checkpoint);
        var cosigned = reader.GetFieldValue<string[]>(1)
            .Select(line => SignedNote.TryParse(note.Body + "\n" + line + "\n", out var one) ? one.Signatures[0] : null)
            .OfType<NoteSignature>();
        return new IssuedCheckpoint(checkpoint!, note with { Signatures = [.. note.Signatures, .. cosigned] });
    }

    /// <summary>The checkpoint of the tree as stored now, signed; null when the latest issued one already says the same.</summary>
    public async Task<SignedNote?> CheckpointToIssueAsync(CancellationToken ct = default)
    {
        var head = await TreeHeadAsync(ct);
        if (head.Size == 0) return null;
        var latest = await LatestCheckpointAsync(ct);
        if (latest is not null && latest.Checkpoint.Size == head.Size && latest.Checkpoint.Root.AsSpan().SequenceEqual(head.Root)) return null;
        return new SignedNote(head.Body, [signer.Sign(head.Body)]);
    }

    /// <summary>The SQL that stores an issued checkpoint, for a session that commits it with the messages announcing it.</summary>
    public (string Sql, object[] Parameters) StoreCheckpoint(SignedNote note)
    {
        Checkpoint.TryParse(note.Body, out var checkpoint);
        return ($"insert into {S}.{LogSchema.Checkpoints} (tree_size, key_id, root_hash, note) values (?, ?, ?, ?) on conflict do nothing",
            [checkpoint!.Size, PublicKey.KeyId, checkpoint.Root, note.Text]);
    }

    /// <summary>Stores a witness's cosignature of a checkpoint this log issued; storing it again changes nothing.</summary>
    public async Task StoreCosignatureAsync(Checkpoint checkpoint, NoteSignature cosignature, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var insert = new NpgsqlCommand(
            $"insert into {S}.{LogSchema.Cosignatures} (tree_size, root_hash, witness, signature_line) values (@size, @root, @witness, @line) on conflict do nothing",
            connection);
        insert.Parameters.AddWithValue("size", checkpoint.Size);
        insert.Parameters.AddWithValue("root", checkpoint.Root);
        insert.Parameters.AddWithValue("witness", cosignature.KeyName);
        insert.Parameters.AddWithValue("line", cosignature.Line.TrimEnd('\n'));
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Whether this log issued a checkpoint with exactly that size and root.</summary>
    public async Task<bool> IssuedAsync(Checkpoint checkpoint, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var query = new NpgsqlCommand(
            $"select exists (select 1 from {S}.{LogSchema.Checkpoints} where tree_size = @size and root_hash = @root and key_id = @key)", connection);
        query.Parameters.AddWithValue("size", checkpoint.Size);
        query.Parameters.AddWithValue("root", checkpoint.Root);
        query.Parameters.AddWithValue("key", PublicKey.KeyId);
        return (bool)(await query.ExecuteScalarAsync(ct))!;
    }

    public async Task<InclusionProof> InclusionProofAsync(long index, long size, CancellationToken ct = default)
    {
        var ranges = Merkle.InclusionRanges(index, size);
        await using var connection = await OpenAsync(ct);
        var node = await NodesAsync(connection, [.. Merkle.NodesFor(ranges), new TreeNode(0, index)], ct);
        return new InclusionProof(index, size, Convert.ToHexStringLower(node(new TreeNode(0, index))),
            Documents.Hex(ranges.Select(r => Merkle.RangeHash(r, node))));
    }

    public async Task<ConsistencyProof> ConsistencyProofAsync(long from, long to, CancellationToken ct = default)
    {
        var ranges = Merkle.ConsistencyRanges(from, to);
        await using var connection = await OpenAsync(ct);
        var node = await NodesAsync(connection, Merkle.NodesFor(ranges), ct);
        return new ConsistencyProof(from, to, Documents.Hex(ranges.Select(r => Merkle.RangeHash(r, node))));
    }

    /// <summary>
    /// The events of one office's stream as they are stored now, each with its leaf index when it has one. The leaf
    /// bytes are rebuilt from the event table, not read back from the log: an event edited since it was logged no
    /// longer matches. A stream id is unique only within its office (a referral's id is derived from its message), and
    /// this query runs outside Marten's tenant filter, so the office is named here (docs/offices.md, "Isolation").
    /// </summary>
    public async Task<IReadOnlyList<(EventLeaf Leaf, long? Index)>> StreamLeavesAsync(string office, Guid stream, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var query = new NpgsqlCommand($"""
            select {EventColumns}, l.leaf_index from {S}.mt_events e
              left join {S}.{LogSchema.Leaves} l on l.seq_id = e.seq_id
             where e.tenant_id = @office and e.stream_id = @stream order by e.version
            """, connection);
        query.Parameters.AddWithValue("office", office);
        query.Parameters.AddWithValue("stream", stream);
        var leaves = new List<(EventLeaf, long?)>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) leaves.Add((ReadEvent(reader).Leaf, reader.IsDBNull(11) ? null : reader.GetInt64(11)));
        return leaves;
    }

    /// <summary>
    /// Every leaf of the first <paramref name="size"/> with its event's data, for an auditor to rebuild the tree. A logged
    /// event deleted since leaves a gap in the indexes, which the verifier reports.
    /// </summary>
    public async IAsyncEnumerable<ExportedEvent> ExportAsync(long size, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var query = new NpgsqlCommand($"""
            select {EventColumns}, l.leaf_index from {S}.{LogSchema.Leaves} l
              join {S}.mt_events e on e.seq_id = l.seq_id
             where l.leaf_index < @size order by l.leaf_index
            """, connection);
        query.Parameters.AddWithValue("size", size);
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (leaf, data) = ReadEvent(reader);
            yield return new ExportedEvent(reader.GetInt64(11), leaf.Sequence, leaf.Office, leaf.EventId, leaf.StreamId, leaf.Version,
                leaf.Type, leaf.RecordedAt, leaf.Actor, leaf.CorrelationId, leaf.CausationId, data);
        }
    }

    private static (EventLeaf Leaf, string Data) ReadEvent(NpgsqlDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var data = r.GetString(10);
        return (new EventLeaf(r.GetString(1), r.GetInt64(0), r.GetGuid(2), r.GetGuid(3), r.GetInt64(4), r.GetString(5),
            r.GetFieldValue<DateTimeOffset>(6), Text(7), Text(8), Text(9), EventLeaf.HashOfData(data)), data);
    }

    private async Task<(long Size, long LastSequence)> HeadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand($"select leaf_index, seq_id from {S}.{LogSchema.Leaves} order by leaf_index desc limit 1", connection);
        await using var reader = await query.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0) + 1, reader.GetInt64(1)) : (0, 0);
    }

    /// <summary>Fetches the stored hashes of the given subtrees in one round trip; a missing one means the log's tables were damaged.</summary>
    private async Task<Func<TreeNode, byte[]>> NodesAsync(NpgsqlConnection connection, IEnumerable<TreeNode> wanted, CancellationToken ct)
    {
        var list = wanted.Distinct().ToList();
        var found = new Dictionary<TreeNode, byte[]>();
        if (list.Count > 0)
        {
            await using var query = new NpgsqlCommand($"""
                select n.level, n.node_index, n.hash from {S}.{LogSchema.Nodes} n
                  join unnest(@levels, @indexes) as w(level, node_index) on w.level = n.level and w.node_index = n.node_index
                """, connection);
            query.Parameters.AddWithValue("levels", list.Select(n => n.Level).ToArray());
            query.Parameters.AddWithValue("indexes", list.Select(n => n.Index).ToArray());
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) found[new TreeNode(reader.GetInt32(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
        }
        return node => found.TryGetValue(node, out var hash)
            ? hash
            : throw new InvalidOperationException($"The log has no hash for leaves [{node.Leaves.Start}, {node.Leaves.End}): its tables were changed.");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var marten = await databases.DatabaseAsync(database);
        await marten.EnsureStorageExistsAsync(typeof(LogSchema), ct);
        var connection = marten.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync(ct);
        return connection;
    }
}

/// <summary>The transparency log of every database holding offices; the first keeps `Audit:Origin` as its name.</summary>
public sealed class TransparencyLogs(IDocumentStore store, OfficeDatabases databases, LogSigningKey key)
    : PerDatabase<TransparencyLog>(databases, name => new TransparencyLog(store, databases, name,
        name == databases.Default ? key.Signer : key.Signer.Named($"{key.Origin}/{OfficeDatabases.Identifier(name)}")))
{
    public TransparencyLog? WithOrigin(string? origin) => All.FirstOrDefault(log => log.Origin == origin);
}
