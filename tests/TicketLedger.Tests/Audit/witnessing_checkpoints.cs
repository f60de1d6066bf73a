using Alba;
using TicketLedger.Audit;
using TicketLedger.Bureaus;
using TicketLedger.Tests.Bureaus;
using TicketLedger.Tests.Tickets;
using TicketLedger.Transparency;
using Wolverine;
using Wolverine.Tracking;

namespace TicketLedger.Tests.Audit;

/// <summary>Checkpoints go to the bureaus over the broker; a configured witness's cosignature comes back and is served.</summary>
public sealed class witnessing_checkpoints(LogFixture fixture) : LogTest(fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<ITrackedSession> ToOfficeInbox(object message, bool expectFailure = false)
    {
        var tracking = Host.TrackActivity().Timeout(Timeout).IncludeExternalTransports();
        if (expectFailure) tracking = tracking.DoNotAssertOnExceptionsDetected();
        return tracking.ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ =>
            await Host.MessageBus().EndpointFor(BureauMessaging.OfficeInbox).SendAsync(message)));
    }

    private static CheckpointCosigned Cosignature(NoteSigner witness, SignedNote note)
    {
        Checkpoint.TryParse(note.Body, out var checkpoint);
        var cosignature = witness.Cosign(note.Body, DateTimeOffset.UtcNow);
        return new CheckpointCosigned(witness.Verifier.Name, checkpoint!.Origin, checkpoint.Size, Convert.ToBase64String(checkpoint.Root),
            Convert.ToBase64String(cosignature.Bytes));
    }

    [Fact]
    public async Task a_new_checkpoint_is_published_to_every_bureau_once()
    {
        await Host.GivenTicket();
        await Log.AppendLeavesAsync();

        var tracked = await Host.TrackActivity().Timeout(Timeout).InvokeMessageAndWaitAsync(new IssueCheckpoint(TicketLedger.Hosting.Office.MainDatabase));
        var published = tracked.Sent.MessagesOf<CheckpointPublished>().ToList();
        Assert.Equal(["jfj-gxc", "rsj", "scjgj", "zjj"], published.Select(p => p.Bureau).Order());
        var envelope = tracked.Sent.Envelopes().First(e => e.Message is CheckpointPublished { Bureau: "rsj" });
        Assert.Equal("ticketledger.checkpoint-published.v1", envelope.MessageType);
        Assert.EndsWith("/bureau.rsj", envelope.Destination!.ToString().TrimEnd('/'));

        var message = published[0];
        Assert.True(SignedNote.TryParse(message.Checkpoint, out var note) && LogFixture.Office.Verifier.Signed(note));
        Assert.Equal($"{message.Origin}\n{message.TreeSize}\n{message.RootHash}\n", note.Body);

        var again = await Host.TrackActivity().Timeout(Timeout).InvokeMessageAndWaitAsync(new IssueCheckpoint(TicketLedger.Hosting.Office.MainDatabase));
        Assert.Empty(again.Sent.MessagesOf<CheckpointPublished>());
    }

    [Fact]
    public async Task issuers_on_several_nodes_at_once_announce_a_tree_head_once()
    {
        await Host.GivenTicket();
        await Log.AppendLeavesAsync();

        // Each call takes the issuers' lock on a connection of its own, as the writer of each node does.
        var tracked = await Host.TrackActivity().Timeout(Timeout).ExecuteAndWaitAsync((Func<IMessageContext, Task>)(_ =>
            Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Log.IssueCheckpointAsync(Host.MessageBus())))));

        Assert.Equal(["jfj-gxc", "rsj", "scjgj", "zjj"], tracked.Sent.MessagesOf<CheckpointPublished>().Select(p => p.Bureau).Order());
    }

    [Fact]
    public async Task a_witness_cosignature_is_checked_stored_and_served_with_the_checkpoint()
    {
        await Host.GivenTicket();
        var (note, _) = await CheckpointAsync();

        await ToOfficeInbox(Cosignature(LogFixture.Witness, note));

        var (served, _) = await CheckpointAsync();
        Assert.Equal(2, served.Signatures.Count);
        Assert.NotNull(LogFixture.Witness.Verifier.Cosigned(served));
        Assert.Equal(note.Body, served.Body);
    }

    [Fact]
    public async Task a_cosignature_by_an_unknown_key_or_of_another_checkpoint_is_dead_lettered()
    {
        await Host.GivenTicket();
        var (note, checkpoint) = await CheckpointAsync();

        var impostor = new NoteSigner(LogFixture.Witness.Verifier.Name, NoteSigner.NewPrivateKey());
        await ToOfficeInbox(Cosignature(impostor, note), expectFailure: true);
        var otherBody = new Checkpoint(checkpoint.Origin, checkpoint.Size, new byte[32]).Body;
        var otherNote = new SignedNote(otherBody, [LogFixture.Office.Sign(otherBody)]);
        await ToOfficeInbox(Cosignature(LogFixture.Witness, otherNote), expectFailure: true);

        var (served, _) = await CheckpointAsync();
        Assert.Single(served.Signatures);
        Assert.Equal(2, (await Host.DeadLetters()).GetProperty("items").EnumerateArray()
            .Count(i => i.GetProperty("messageType").GetString() == "ticketledger.checkpoint-cosigned.v1"));
    }
}
