using Alba;
using Marten;
using TicketLedger.Audit;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Audit;

public sealed class recording_and_proving_a_chain_head(AuditFixture fixture) : AuditTest(fixture)
{
    private const string S = "ticketledger";

    [Fact]
    public async Task a_recorded_head_still_verifies_after_later_appends()
    {
        var (_, ticketA, _) = await AppendStoryAsync();
        await Chain.SealAsync();
        var recorded = (await Chain.HeadAsync())!;
        await AppendAsync(ticketA, new TicketReopened(ticketA, "not fixed", DateTimeOffset.UtcNow));
        await Chain.SealAsync();

        var result = await Chain.VerifyAsync(Anchor(recorded));

        Assert.True(result.Valid, result.Reason);
        Assert.Equal(9, result.LastSequence);
    }

    [Fact]
    public async Task a_past_rewritten_together_with_its_chain_fails_only_against_the_recorded_head()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();
        var recorded = (await Chain.HeadAsync())!;

        // The thorough forger edits an event and replays the whole table through the database's own machinery:
        // truncating empties the chain, re-inserting links every event again, sealing rebuilds the global chain.
        await SqlAsync($"""
            create temporary table copy as select * from {S}.mt_events;
            update copy set data = jsonb_set(data, '{"{resolution}"}', '"never happened"') where seq_id = 7;
            truncate {S}.mt_events;
            insert into {S}.mt_events select * from copy order by seq_id;
            select {S}.tl_audit_seal_up_to(1000, 1000);
            """);

        Assert.True((await Chain.VerifyAsync()).Valid);
        var result = await Chain.VerifyAsync(Anchor(recorded));
        Assert.Equal((false, 8L), (result.Valid, result.FirstBrokenSequence));
        Assert.Contains("not the one recorded", result.Reason);
    }

    [Fact]
    public async Task a_head_that_is_no_longer_in_the_chain_fails()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        var result = await Chain.VerifyAsync(new ChainAnchor(42, new byte[32]));

        Assert.Equal((false, 42L), (result.Valid, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task the_head_at_or_below_a_sequence_is_the_last_sealed_event_up_to_it()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        var atFive = (await Chain.HeadAtOrBelowAsync(5))!;
        var head = (await Chain.HeadAsync())!;

        Assert.Equal(5, atFive.Sequence);
        Assert.Equal(8, head.Sequence);
        Assert.NotEqual(atFive.Hash, head.Hash);
        Assert.True((await Chain.VerifyAsync(Anchor(atFive))).Valid);
        Assert.Null(await Chain.HeadAtOrBelowAsync(0));
    }

    [Fact]
    public async Task resetting_the_store_leaves_no_chain_behind()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        await ResetStoreAsync();

        Assert.Equal(0, await CountAsync($"select (select count(*) from {S}.tl_audit_link) + (select count(*) from {S}.tl_audit_seal)"));
        await AppendStoryAsync();
        await Chain.SealAsync();
        Assert.Equal(new ChainVerification(true, 8, 8, null, null, 8), await Chain.VerifyAsync());
    }

    private static ChainAnchor Anchor(ChainHead head) => ChainAnchor.TryParse(head.Anchor, out var anchor) ? anchor : throw new FormatException(head.Anchor);
}
