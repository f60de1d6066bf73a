using Marten;
using TicketLedger.Audit;
using TicketLedger.Tests.Tickets;
using TicketLedger.Transparency;

namespace TicketLedger.Tests.Audit;

/// <summary>The log over the event table, its signed checkpoints and its proofs, as an auditor reaches them over HTTP.</summary>
public sealed class the_transparency_log(LogFixture fixture) : LogTest(fixture)
{
    private async Task<Guid> ResolvedTicketAsync()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Assign(id);
        await Host.Resolve(id);
        return id;
    }

    [Fact]
    public async Task every_row_of_the_event_table_becomes_a_leaf_in_sequence_order()
    {
        await ResolvedTicketAsync();
        await ResolvedTicketAsync();

        var events = await CountAsync("select count(*) from ticketledger.mt_events");
        Assert.Equal(events, await Log.AppendLeavesAsync());
        Assert.Equal(0, await Log.AppendLeavesAsync());
        Assert.Equal(0, await CountAsync("""
            select count(*) from ticketledger.tl_log_leaf l
             where l.seq_id <> (select seq_id from ticketledger.mt_events order by seq_id offset l.leaf_index limit 1)
            """));
        Assert.Equal(events, (await Log.TreeHeadAsync()).Size);
    }

    [Fact]
    public async Task the_checkpoint_is_a_signed_note_over_origin_size_and_root()
    {
        await ResolvedTicketAsync();

        var text = await GetTextAsync("/api/audit/checkpoint");
        var (note, checkpoint) = await CheckpointAsync();

        var head = await Log.TreeHeadAsync();
        Assert.Equal($"ticketledger/yinhe\n{head.Size}\n{Convert.ToBase64String(head.Root)}\n", note.Body);
        var signature = Assert.Single(note.Signatures);
        Assert.Equal($"{note.Body}\n\u2014 ticketledger/yinhe {Convert.ToBase64String(signature.Bytes)}\n", text);
        Assert.Equal(LogFixture.Office.Verifier.KeyId, signature.KeyId);
        Assert.Equal(68, signature.Bytes.Length);
        Assert.Equal(head.Size, checkpoint.Size);

        var key = await GetAsync<PublicKeyDocument>("/api/audit/public-key");
        Assert.Equal(new PublicKeyDocument("ticketledger/yinhe", Convert.ToHexStringLower(LogFixture.Office.Verifier.KeyId),
            Convert.ToBase64String(LogFixture.Office.Verifier.PublicKey)), key);
    }

    [Fact]
    public async Task the_root_is_rebuilt_from_the_export_alone()
    {
        await ResolvedTicketAsync();
        var (_, checkpoint) = await CheckpointAsync();

        var lines = (await GetTextAsync("/api/audit/export")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var frontier = new MerkleFrontier();
        foreach (var line in lines)
        {
            var exported = System.Text.Json.JsonSerializer.Deserialize<ExportedEvent>(line, Documents.Json)!;
            Assert.Equal(frontier.Size, exported.Index);
            frontier.Append(Merkle.LeafHash(exported.ToLeaf().Encode()));
        }
        Assert.Equal(checkpoint.Size, frontier.Size);
        Assert.Equal(checkpoint.Root, frontier.Root());
    }

    [Fact]
    public async Task every_leaf_is_proven_in_the_checkpoint_and_the_log_grows_consistently()
    {
        await ResolvedTicketAsync();
        var (_, first) = await CheckpointAsync();
        await ResolvedTicketAsync();
        var (_, second) = await CheckpointAsync();
        Assert.True(second.Size > first.Size);

        for (var i = 0; i < second.Size; i++)
        {
            var proof = await GetAsync<InclusionProof>($"/api/audit/proof/inclusion?index={i}&size={second.Size}");
            Assert.True(Merkle.VerifyInclusion(i, second.Size, Convert.FromHexString(proof.LeafHash), Documents.FromHex(proof.Path), second.Root));
        }
        var consistency = await GetAsync<ConsistencyProof>($"/api/audit/proof/consistency?from={first.Size}&to={second.Size}");
        Assert.True(Merkle.VerifyConsistency(first.Size, second.Size, first.Root, second.Root, Documents.FromHex(consistency.Path)));
    }

    [Fact]
    public async Task a_size_beyond_the_latest_checkpoint_is_a_400()
    {
        await ResolvedTicketAsync();
        var (_, checkpoint) = await CheckpointAsync();
        await ResolvedTicketAsync();
        await Log.AppendLeavesAsync();

        var beyond = checkpoint.Size + 1;
        Assert.Contains($"latest checkpoint's, {checkpoint.Size}", await GetTextAsync($"/api/audit/proof/inclusion?index=0&size={beyond}", status: 400));
        await GetTextAsync($"/api/audit/proof/consistency?from=1&to={beyond}", status: 400);
        await GetTextAsync($"/api/audit/proof/inclusion?index={checkpoint.Size}&size={checkpoint.Size}", status: 400);
        await GetTextAsync($"/api/audit/proof/consistency?from=0&to={checkpoint.Size}", status: 400);
        await GetTextAsync($"/api/audit/export?size={beyond}", status: 400);
    }

    [Fact]
    public async Task a_tickets_evidence_proves_each_of_its_events_in_the_signed_checkpoint()
    {
        var id = await ResolvedTicketAsync();

        var bundle = await GetAsync<EvidenceBundle>($"/api/tickets/{id}/evidence");

        Assert.True(SignedNote.TryParse(bundle.Checkpoint, out var note));
        Assert.True(LogFixture.Office.Verifier.Signed(note));
        Checkpoint.TryParse(note.Body, out var checkpoint);
        Assert.Equal(3, bundle.Events.Count);
        foreach (var (e, version) in bundle.Events.Select((e, i) => (e, i + 1L)))
        {
            var leaf = Convert.FromBase64String(e.Leaf);
            var decoded = EventLeaf.Decode(leaf);
            Assert.Equal((id, version, e.Sequence), (decoded.StreamId, decoded.Version, decoded.Sequence));
            Assert.True(Merkle.VerifyInclusion(e.Index, checkpoint!.Size, Merkle.LeafHash(leaf), Documents.FromHex(e.Path), checkpoint.Root));
        }
        Assert.Equal(["ticket_raised", "ticket_assigned", "ticket_resolved"], bundle.Events.Select(e => EventLeaf.Decode(Convert.FromBase64String(e.Leaf)).Type));
        await GetTextAsync($"/api/tickets/{Guid.NewGuid()}/evidence", status: 404);
    }

    [Fact]
    public async Task the_auditor_routes_are_in_the_openapi_document()
    {
        var result = await Host.Scenario(x => x.Get.Url("/openapi/v1.json"));
        var paths = result.Json().GetProperty("paths");
        foreach (var route in new[] { "/api/audit/checkpoint", "/api/audit/public-key", "/api/audit/proof/inclusion", "/api/audit/proof/consistency", "/api/audit/export", "/api/tickets/{id}/evidence" })
            Assert.True(paths.TryGetProperty(route, out _), route);
    }

    [Fact]
    public async Task a_reset_store_starts_a_new_log()
    {
        await ResolvedTicketAsync();
        await CheckpointAsync();

        await ResetStoreAsync();

        Assert.Equal(0, await CountAsync("select (select count(*) from ticketledger.tl_log_leaf) + (select count(*) from ticketledger.tl_log_node) + (select count(*) from ticketledger.tl_log_checkpoint)"));
        await GetTextAsync("/api/audit/checkpoint", status: 404);
    }
}
