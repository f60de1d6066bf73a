using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Audit;
using TicketLedger.Tests.Tickets;
using TicketLedger.Transparency;

namespace TicketLedger.Tests.Audit;

/// <summary>
/// Someone with write access to the database rewrites history, and recomputes the hash chain so that `audit verify`
/// still says valid. A checkpoint signed before, held by an auditor or a witness, still catches it.
/// </summary>
public sealed class rewriting_logged_history(LogFixture fixture) : LogTest(fixture)
{
    private const string S = "ticketledger";

    private AuditChain Chain => Host.Services.GetRequiredService<AuditChains>().Default;

    private async Task<Guid> ResolvedTicketAsync()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        await Host.Resolve(id);
        return id;
    }

    /// <summary>Edits the resolution in place and rebuilds the whole chain from the edited events, as a forger would.</summary>
    private async Task ForgeResolutionAsync(Guid ticket)
    {
        await SqlAsync($$"""
            update {{S}}.mt_events set data = jsonb_set(data, '{resolution}', '"problem never existed"')
             where stream_id = '{{ticket}}' and type = 'ticket_resolved';
            delete from {{S}}.tl_audit_seal;
            delete from {{S}}.tl_audit_link;
            select {{S}}.tl_audit_link_missing();
            """);
        await Chain.SealAsync();
        var verified = await Chain.VerifyAsync();
        Assert.True(verified.Valid, verified.Reason);
    }

    private static bool Proven(EvidenceEvent e, Checkpoint checkpoint) =>
        e.Index >= 0 && Merkle.VerifyInclusion(e.Index, checkpoint.Size, Merkle.LeafHash(Convert.FromBase64String(e.Leaf)), Documents.FromHex(e.Path), checkpoint.Root);

    [Fact]
    public async Task an_edited_event_fails_its_tickets_inclusion_proof_against_the_checkpoint_issued_before()
    {
        var ticket = await ResolvedTicketAsync();
        var (_, saved) = await CheckpointAsync();

        await ForgeResolutionAsync(ticket);

        var bundle = await GetAsync<EvidenceBundle>($"/api/tickets/{ticket}/evidence");
        Assert.Equal([true, true, false], bundle.Events.Select(e => Proven(e, saved)));
    }

    [Fact]
    public async Task a_log_rebuilt_over_the_edited_events_is_not_consistent_with_a_saved_checkpoint()
    {
        var ticket = await ResolvedTicketAsync();
        var (_, saved) = await CheckpointAsync();

        await ForgeResolutionAsync(ticket);
        await SqlAsync($"truncate {S}.tl_log_leaf, {S}.tl_log_node, {S}.tl_log_checkpoint, {S}.tl_log_cosignature");
        await ResolvedTicketAsync();
        var (_, rewritten) = await CheckpointAsync();

        // The forged log proves its own events against its own checkpoint...
        var bundle = await GetAsync<EvidenceBundle>($"/api/tickets/{ticket}/evidence");
        Assert.All(bundle.Events, e => Assert.True(Proven(e, rewritten)));
        // ...but cannot prove that it extends the one the auditor saved.
        var proof = await GetAsync<ConsistencyProof>($"/api/audit/proof/consistency?from={saved.Size}&to={rewritten.Size}");
        Assert.False(Merkle.VerifyConsistency(saved.Size, rewritten.Size, saved.Root, rewritten.Root, Documents.FromHex(proof.Path)));
    }

    [Fact]
    public async Task a_fork_of_the_same_size_is_caught_by_a_witness_holding_the_first()
    {
        var ticket = await ResolvedTicketAsync();
        var witness = new TestWitness(LogFixture.Office.Verifier);
        var (first, _) = await CheckpointAsync();
        Assert.True(witness.Accept(first, []));

        // The same number of events, one different: two histories of one size.
        await ForgeResolutionAsync(ticket);
        await SqlAsync($"truncate {S}.tl_log_leaf, {S}.tl_log_node, {S}.tl_log_checkpoint, {S}.tl_log_cosignature");
        var (fork, forked) = await CheckpointAsync();
        Assert.Equal(witness.Last!.Size, forked.Size);

        var proof = await GetAsync<ConsistencyProof>($"/api/audit/proof/consistency?from={forked.Size}&to={forked.Size}");
        Assert.False(witness.Accept(fork, Documents.FromHex(proof.Path)));
        Assert.Equal(first.Body, witness.Evidence!.Value.Kept.Body);
        Assert.Equal(fork.Body, witness.Evidence!.Value.Offered.Body);
    }
}

/// <summary>
/// What a bureau acting as a witness keeps: the last checkpoint it accepted. It accepts a new one only with the log's
/// signature and a consistency proof from the kept one; otherwise it keeps both signed notes, the proof of a fork.
/// </summary>
public sealed class TestWitness(NoteVerifier log)
{
    public Checkpoint? Last { get; private set; }

    public (SignedNote Kept, SignedNote Offered)? Evidence { get; private set; }

    private SignedNote? _kept;

    public bool Accept(SignedNote note, IReadOnlyList<byte[]> proofFromLast)
    {
        if (!log.Signed(note) || !Checkpoint.TryParse(note.Body, out var offered)) return false;
        if (Last is not null && (offered.Size < Last.Size
                                 || !Merkle.VerifyConsistency(Last.Size, offered.Size, Last.Root, offered.Root, proofFromLast)))
        {
            Evidence = (_kept!, note);
            return false;
        }
        (Last, _kept) = (offered, note);
        return true;
    }
}
