using System.Security.Cryptography;
using CsCheck;
using TicketLedger.Transparency;

namespace TicketLedger.Tests.Audit;

/// <summary>RFC 9162 §2.1 against hashes written out from its definitions, and against a naive recomputation of every tree.</summary>
public sealed class the_merkle_tree
{
    private static byte[] Sha(params byte[][] parts) => SHA256.HashData(parts.SelectMany(p => p).ToArray());

    private static byte[] Leaf(byte[] data) => Sha([0x00], data);

    private static byte[] Node(byte[] left, byte[] right) => Sha([0x01], left, right);

    /// <summary>MTH of RFC 9162 §2.1.1, written as the definition reads.</summary>
    private static byte[] Mth(byte[][] leaves) => leaves.Length switch
    {
        0 => SHA256.HashData([]),
        1 => Leaf(leaves[0]),
        var n => Node(Mth(leaves[..(int)Merkle.SplitPoint(n)]), Mth(leaves[(int)Merkle.SplitPoint(n)..])),
    };

    private static byte[] Root(byte[][] leaves)
    {
        var frontier = new MerkleFrontier();
        foreach (var leaf in leaves) frontier.Append(Merkle.LeafHash(leaf));
        return frontier.Root();
    }

    /// <summary>Every perfect subtree's hash, as the log stores them while leaves arrive.</summary>
    private static Dictionary<TreeNode, byte[]> Store(byte[][] leaves)
    {
        var frontier = new MerkleFrontier();
        return leaves.SelectMany(l => frontier.Append(Merkle.LeafHash(l))).ToDictionary(n => n.Node, n => n.Hash);
    }

    // RFC 6962's test leaves, the vectors every CT implementation checks against.
    private static readonly byte[][] CtLeaves =
        new[] { "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" }
            .Select(Convert.FromHexString).ToArray();

    [Fact]
    public void hashes_follow_the_definitions_of_rfc_9162()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(new MerkleFrontier().Root()));
        Assert.Equal("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", Convert.ToHexStringLower(Merkle.LeafHash([])));

        var (a, b, c) = (Leaf(CtLeaves[0]), Leaf(CtLeaves[1]), Leaf(CtLeaves[2]));
        Assert.Equal(Node(a, b), Root(CtLeaves[..2]));
        // Three leaves split at 2: the third leaf is not promoted or duplicated, it is the right child itself.
        Assert.Equal(Node(Node(a, b), c), Root(CtLeaves[..3]));
    }

    [Theory]
    [InlineData(1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")]
    [InlineData(2, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]
    [InlineData(3, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77")]
    [InlineData(4, "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(5, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4")]
    [InlineData(6, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef")]
    [InlineData(7, "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c")]
    [InlineData(8, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
    public void the_certificate_transparency_test_vectors_give_their_roots(int size, string root)
    {
        Assert.Equal(root, Convert.ToHexStringLower(Root(CtLeaves[..size])));
        Assert.Equal(root, Convert.ToHexStringLower(Mth(CtLeaves[..size])));
    }

    [Fact]
    public void paths_are_the_sibling_subtrees_from_the_leaf_up()
    {
        var nodes = Store(CtLeaves[..7]);
        byte[] L(int i) => Leaf(CtLeaves[i]);

        // Leaf 5 of 7: its sibling leaf 4, then leaf 6 (the right subtree of [4, 7)), then the left half [0, 4).
        Assert.Equal([L(4), L(6), Mth(CtLeaves[..4])], Merkle.InclusionProof(5, 7, n => nodes[n]));
        // Leaf 6 of 7 has no sibling on the lowest level: [4, 6) then [0, 4).
        Assert.Equal([Node(L(4), L(5)), Mth(CtLeaves[..4])], Merkle.InclusionProof(6, 7, n => nodes[n]));
        // RFC 9162 §2.1.4.3's example: from 3 to 7 is c, d, g, l (leaf 2, leaf 3, [0, 2), [4, 7)).
        Assert.Equal([L(2), L(3), Node(L(0), L(1)), Mth(CtLeaves[4..7])], Merkle.ConsistencyProof(3, 7, n => nodes[n]));
        // From 4 to 7 is l alone: [0, 4) is the old root, which the verifier already has.
        Assert.Equal([Mth(CtLeaves[4..7])], Merkle.ConsistencyProof(4, 7, n => nodes[n]));
        Assert.Empty(Merkle.ConsistencyProof(7, 7, n => nodes[n]));
    }

    [Fact]
    public void every_tree_of_1_to_70_leaves_agrees_with_the_naive_recomputation_and_proves_every_leaf_and_prefix()
    {
        Gen.Byte.Array[0, 12].Array[1, 70].Sample(leaves =>
        {
            var nodes = Store(leaves);
            byte[] NodeOf(TreeNode n) => nodes[n];
            var roots = Enumerable.Range(0, leaves.Length + 1).Select(n => Mth(leaves[..n])).ToArray();
            var size = leaves.Length;

            Assert.Equal(roots[size], Root(leaves));
            foreach (var (node, hash) in nodes) Assert.Equal(Mth(leaves[(int)node.Leaves.Start..(int)node.Leaves.End]), hash);

            for (var n = 1; n <= size; n++)
            {
                Assert.Equal(roots[n], Merkle.Root(n, NodeOf));
                for (var i = 0; i < n; i++)
                {
                    var path = Merkle.InclusionProof(i, n, NodeOf);
                    Assert.True(Merkle.VerifyInclusion(i, n, Leaf(leaves[i]), path, roots[n]), $"leaf {i} of {n}");
                    Assert.False(Merkle.VerifyInclusion(i, n, Leaf([.. leaves[i], 0xff]), path, roots[n]));
                }
                for (var m = 1; m <= n; m++)
                {
                    var proof = Merkle.ConsistencyProof(m, n, NodeOf);
                    Assert.True(Merkle.VerifyConsistency(m, n, roots[m], roots[n], proof), $"{m} to {n}");
                    if (m < n) Assert.False(Merkle.VerifyConsistency(m, n, Leaf([1, 2, 3]), roots[n], proof));
                }
            }
        }, iter: 60);
    }

    [Fact]
    public void a_tampered_proof_or_a_forked_history_fails()
    {
        var history = CtLeaves[..6];
        var fork = CtLeaves[..6].Select((l, i) => i == 2 ? Convert.FromHexString("ff") : l).ToArray();
        var nodes = Store(history);
        var forked = Store(fork);

        // The witness saw 4 leaves of the first history; the log later shows 6 leaves of the second.
        var proof = Merkle.ConsistencyProof(4, 6, n => forked[n]);
        Assert.False(Merkle.VerifyConsistency(4, 6, Mth(history[..4]), Mth(fork), proof));
        Assert.True(Merkle.VerifyConsistency(4, 6, Mth(history[..4]), Mth(history), Merkle.ConsistencyProof(4, 6, n => nodes[n])));

        var path = Merkle.InclusionProof(1, 6, n => nodes[n]).Select(h => h.ToArray()).ToList();
        path[1][0] ^= 1;
        Assert.False(Merkle.VerifyInclusion(1, 6, Leaf(history[1]), path, Mth(history)));
    }
}
