using System.Numerics;
using System.Security.Cryptography;

namespace TicketLedger.Transparency;

/// <summary>The leaves [Start, End) of a tree: every hash a proof carries is the Merkle tree hash of one such range.</summary>
public readonly record struct LeafRange(long Start, long End)
{
    public long Count => End - Start;
}

/// <summary>
/// A perfect subtree: 2^Level leaves starting at leaf Index * 2^Level. Level 0 is a single leaf. The log stores the hash
/// of every perfect subtree once it is complete, so any proof is a handful of lookups.
/// </summary>
public readonly record struct TreeNode(int Level, long Index)
{
    public LeafRange Leaves => new(Index << Level, (Index + 1) << Level);
}

/// <summary>
/// RFC 9162 (Certificate Transparency 2.0) §2.1 Merkle tree hashes and proofs, as docs/audit.md describes them:
/// leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right), the tree split at the largest power of
/// two below its size. Pure functions: proofs are built from a lookup of perfect-subtree hashes, so they can be
/// computed from any store of them, or from the leaves themselves.
/// </summary>
public static class Merkle
{
    public const int HashSize = 32;

    /// <summary>MTH({}) = SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData([]);

    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        var buffer = new byte[leaf.Length + 1];
        leaf.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The k of RFC 9162: the largest power of two smaller than n (n &gt; 1).</summary>
    public static long SplitPoint(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>The ranges whose hashes make up the inclusion path of leaf <paramref name="index"/> in a tree of <paramref name="size"/> leaves, leaf end first (§2.1.3.1).</summary>
    public static IReadOnlyList<LeafRange> InclusionRanges(long index, long size)
    {
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"leaf {index} is not in a tree of {size}");
        var ranges = new List<LeafRange>();
        var (start, end) = (0L, size);
        while (end - start > 1)
        {
            var k = SplitPoint(end - start);
            if (index - start < k)
            {
                ranges.Add(new LeafRange(start + k, end));
                end = start + k;
            }
            else
            {
                ranges.Add(new LeafRange(start, start + k));
                start += k;
            }
        }
        ranges.Reverse();
        return ranges;
    }

    /// <summary>The ranges whose hashes make up the consistency proof from a tree of <paramref name="from"/> leaves to one of <paramref name="to"/> (§2.1.4.1).</summary>
    public static IReadOnlyList<LeafRange> ConsistencyRanges(long from, long to)
    {
        if (from < 1 || from > to) throw new ArgumentOutOfRangeException(nameof(from), $"no consistency proof from {from} to {to}");
        var ranges = new List<LeafRange>();
        var (start, end, m, whole) = (0L, to, from, true);
        while (true)
        {
            var n = end - start;
            if (m == n)
            {
                if (!whole) ranges.Add(new LeafRange(start, end));
                break;
            }
            var k = SplitPoint(n);
            if (m <= k)
            {
                ranges.Add(new LeafRange(start + k, end));
                end = start + k;
            }
            else
            {
                ranges.Add(new LeafRange(start, start + k));
                start += k;
                m -= k;
                whole = false;
            }
        }
        ranges.Reverse();
        return ranges;
    }

    /// <summary>
    /// The perfect subtrees a range's hash is built from, left to right. Every range of a proof starts on a boundary of
    /// its own largest power of two, as the RFC's split guarantees, so this is at most one subtree per level.
    /// </summary>
    public static IReadOnlyList<TreeNode> PerfectSubtrees(LeafRange range)
    {
        var nodes = new List<TreeNode>();
        var start = range.Start;
        while (start < range.End)
        {
            var n = range.End - start;
            var size = BitOperations.IsPow2(n) ? n : SplitPoint(n);
            if (start % size != 0) throw new ArgumentException($"leaves [{range.Start}, {range.End}) do not split into aligned subtrees");
            nodes.Add(new TreeNode(BitOperations.Log2((ulong)size), start / size));
            start += size;
        }
        return nodes;
    }

    /// <summary>MTH of a range from the hashes of its perfect subtrees: they fold from the right, as the RFC's split nests them.</summary>
    public static byte[] RangeHash(LeafRange range, Func<TreeNode, byte[]> node)
    {
        if (range.Count == 0) return EmptyRoot();
        var subtrees = PerfectSubtrees(range);
        var hash = node(subtrees[^1]);
        for (var i = subtrees.Count - 2; i >= 0; i--) hash = NodeHash(node(subtrees[i]), hash);
        return hash;
    }

    /// <summary>The root of a tree of <paramref name="size"/> leaves.</summary>
    public static byte[] Root(long size, Func<TreeNode, byte[]> node) => RangeHash(new LeafRange(0, size), node);

    public static IReadOnlyList<byte[]> InclusionProof(long index, long size, Func<TreeNode, byte[]> node) =>
        InclusionRanges(index, size).Select(r => RangeHash(r, node)).ToList();

    public static IReadOnlyList<byte[]> ConsistencyProof(long from, long to, Func<TreeNode, byte[]> node) =>
        ConsistencyRanges(from, to).Select(r => RangeHash(r, node)).ToList();

    /// <summary>Every perfect subtree an inclusion or consistency proof needs: fetch these, then build the proof from them.</summary>
    public static IReadOnlyCollection<TreeNode> NodesFor(IEnumerable<LeafRange> ranges) =>
        ranges.SelectMany(PerfectSubtrees).ToHashSet();

    /// <summary>RFC 9162 §2.1.3.2: does the path lead from the leaf hash at <paramref name="index"/> to the root of a tree of <paramref name="size"/>?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size) return false;
        var (fn, sn) = (index, size - 1);
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0 || p.Length != HashSize) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2: is the tree of <paramref name="to"/> leaves an append-only extension of the one of <paramref name="from"/>?</summary>
    public static bool VerifyConsistency(long from, long to, ReadOnlySpan<byte> fromRoot, ReadOnlySpan<byte> toRoot, IReadOnlyList<byte[]> path)
    {
        if (from < 1 || from > to) return false;
        if (from == to) return path.Count == 0 && fromRoot.SequenceEqual(toRoot);
        if (path.Count == 0 || path.Any(p => p.Length != HashSize)) return false;

        var proof = BitOperations.IsPow2(from) ? [fromRoot.ToArray(), .. path] : path.ToList();
        var (fn, sn) = (from - 1, to - 1);
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var (fr, sr) = (proof[0], proof[0]);
        foreach (var c in proof.Skip(1))
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(fromRoot) && sr.AsSpan().SequenceEqual(toRoot);
    }
}
