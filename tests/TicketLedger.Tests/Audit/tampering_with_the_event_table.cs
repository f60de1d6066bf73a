namespace TicketLedger.Tests.Audit;

/// <summary>Each kind of tampering is found, and named at the first sequence it broke.</summary>
public sealed class tampering_with_the_event_table(AuditFixture fixture) : AuditTest(fixture)
{
    private const string S = "ticketledger";

    [Fact]
    public async Task an_untouched_chain_verifies_end_to_end()
    {
        await AppendStoryAsync();
        Assert.Equal(8, await Chain.SealAsync());

        var result = await Chain.VerifyAsync();

        Assert.Equal(new TicketLedger.Audit.ChainVerification(true, 8, 8, null, null, 8), result);
    }

    [Fact]
    public async Task every_event_is_linked_in_its_own_append_transaction_before_any_sealing()
    {
        await AppendStoryAsync();

        Assert.Equal(8, await CountAsync($"select count(*) from {S}.tl_audit_link"));
        Assert.Equal(0, await CountAsync($"select count(*) from {S}.tl_audit_seal"));
        var result = await Chain.VerifyAsync();
        Assert.True(result.Valid, result.Reason);
        Assert.Null(result.SealedThrough);
    }

    [Fact]
    public async Task an_edited_event_body_is_found_at_its_sequence()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        await SqlAsync($"update {S}.mt_events set data = jsonb_set(data, '{{department}}', '\"finance\"') where seq_id = 4");

        var result = await Chain.VerifyAsync();
        Assert.False(result.Valid);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.Contains("differs from what was recorded", result.Reason);
    }

    [Fact]
    public async Task an_edited_event_not_yet_sealed_is_found_by_its_stream_chain()
    {
        await AppendStoryAsync();

        await SqlAsync($"update {S}.mt_events set user_name = 'someone-else' where seq_id = 6");

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 6L), (result.Valid, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task a_deleted_event_is_found_at_its_sequence()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        await SqlAsync($"delete from {S}.mt_events where seq_id = 5");

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 5L), (result.Valid, result.FirstBrokenSequence));
        Assert.Contains("removed", result.Reason);
    }

    [Fact]
    public async Task a_deleted_event_whose_chain_entries_were_deleted_too_is_found_at_its_sequence()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        await SqlAsync($"""
            delete from {S}.tl_audit_seal where seq_id = 5;
            delete from {S}.tl_audit_link where seq_id = 5;
            delete from {S}.mt_events where seq_id = 5;
            """);

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 5L), (result.Valid, result.FirstBrokenSequence));
        Assert.Equal("event 5 was removed: event 6 was sealed after it", result.Reason);
    }

    [Fact]
    public async Task swapping_the_data_of_two_events_is_found_at_the_first_of_them()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        // Events 4 and 6 are both TicketAssigned, so the swap is type-consistent and the projections would never notice.
        await SqlAsync($"""
            update {S}.mt_events e set data = o.data
              from {S}.mt_events o
             where (e.seq_id, o.seq_id) in ((4, 6), (6, 4));
            """);

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 4L), (result.Valid, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task an_event_inserted_into_the_sealed_past_is_found_at_its_sequence()
    {
        var (_, ticketA, _) = await AppendStoryAsync();
        // A rolled-back append leaves a hole in the sequence; a forger can fill it and hope nobody notices.
        await SqlAsync($"select nextval('{S}.mt_events_sequence')");
        var subject = Guid.NewGuid();
        await AppendAsync(subject, new TicketLedger.Tickets.TicketReopened(subject, "never raised", DateTimeOffset.UtcNow), start: true);
        await Chain.SealAsync();

        await SqlAsync($"""
            insert into {S}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, user_name)
            select 9, gen_random_uuid(), stream_id, 4, data, type, timestamp, tenant_id, mt_dotnet_type, 'kim'
              from {S}.mt_events where seq_id = 7;
            update {S}.mt_streams set version = 4 where id = '{ticketA}';
            """);

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 9L), (result.Valid, result.FirstBrokenSequence));
        Assert.Contains("inserted after the chain was sealed past it", result.Reason);
    }

    [Fact]
    public async Task an_event_written_past_the_append_trigger_is_found_at_its_sequence()
    {
        await AppendStoryAsync();

        await SqlAsync($"""
            set session_replication_role = replica;
            insert into {S}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
            select nextval('{S}.mt_events_sequence'), gen_random_uuid(), stream_id, version + 1, data, type, timestamp, tenant_id, mt_dotnet_type
              from {S}.mt_events where seq_id = 8;
            """);

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 9L), (result.Valid, result.FirstBrokenSequence));
        Assert.Contains("no chain link", result.Reason);
    }
}
