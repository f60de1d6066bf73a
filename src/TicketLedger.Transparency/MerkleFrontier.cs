namespace TicketLedger.Transparency;

/// <summary>
/// The right edge of a growing tree: the perfect subtrees a tree of <see cref="Size"/> leaves splits into, one per set
/// bit of the size, largest first. Appending a leaf completes zero or more subtrees, which the log stores; the root is
/// the frontier folded from the right. Memory is O(log n), so a verifier can rebuild the root of a million-leaf export
/// in one pass.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<byte[]> _subtrees;

    public MerkleFrontier() : this(0, []) { }

    private MerkleFrontier(long size, List<byte[]> subtrees)
    {
        Size = size;
        _subtrees = subtrees;
    }

    public long Size { get; private set; }

    /// <summary>The perfect subtrees a tree of <paramref name="size"/> leaves splits into, largest (leftmost) first.</summary>
    public static IReadOnlyList<TreeNode> NodesOf(long size)
    {
        var nodes = new List<TreeNode>();
        for (var level = 62; level >= 0; level--)
            if ((size & (1L << level)) != 0) nodes.Add(new TreeNode(level, (size >> level) - 1));
        return nodes;
    }

    /// <summary>Resumes from the stored hashes of <see cref="NodesOf"/>.</summary>
    public static MerkleFrontier Resume(long size, Func<TreeNode, byte[]> node) => new(size, NodesOf(size).Select(node).ToList());

    /// <summary>Adds a leaf hash; returns every perfect subtree it completed, the leaf itself (level 0) first.</summary>
    public IReadOnlyList<(TreeNode Node, byte[] Hash)> Append(byte[] leafHash)
    {
        var completed = new List<(TreeNode, byte[])> { (new TreeNode(0, Size), leafHash) };
        var (hash, index, level) = (leafHash, Size, 0);
        while ((index & 1) == 1)
        {
            hash = Merkle.NodeHash(_subtrees[^1], hash);
            _subtrees.RemoveAt(_subtrees.Count - 1);
            index >>= 1;
            level++;
            completed.Add((new TreeNode(level, index), hash));
        }
        _subtrees.Add(hash);
        Size++;
        return completed;
    }

    public byte[] Root()
    {
        if (Size == 0) return Merkle.EmptyRoot();
        var root = _subtrees[^1];
        for (var i = _subtrees.Count - 2; i >= 0; i--) root = Merkle.NodeHash(_subtrees[i], root);
        return root;
    }
}
