using JasperFx;
using Npgsql;
using TicketLedger.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Audit;

/// <summary>
/// When an append fails after Marten has numbered its events (a unique violation later in the same batch, a database
/// restart before the commit), Marten fills the lost sequence numbers with tombstone events once the transaction has
/// rolled back. They are the store's own mechanism and must verify; anything merely typed a tombstone must not.
/// </summary>
public sealed class tombstones_of_failed_appends(AuditFixture fixture) : AuditTest(fixture)
{
    private const string S = "ticketledger";
    private const string ClaimedCode = "91350100M000100Y43";

    [Fact]
    public async Task tombstones_of_a_failed_append_verify_and_the_events_after_them_are_checked()
    {
        var (_, ticketA, _) = await AppendStoryAsync();
        await ClaimCreditCodeAsync();
        await FailAppendAsync(2);
        await AppendAsync(ticketA, new TicketReopened(ticketA, "masks ran out again", DateTimeOffset.UtcNow));

        Assert.Equal(new TicketLedger.Audit.ChainVerification(true, 11, 11, null, null, null), await Chain.VerifyAsync());

        await FailAppendAsync(1);
        await AppendAsync(ticketA, new TicketResolved(ticketA, "masks delivered twice", DateTimeOffset.UtcNow));
        Assert.Equal(13, await Chain.SealAsync());

        Assert.Equal(new TicketLedger.Audit.ChainVerification(true, 13, 13, null, null, 13), await Chain.VerifyAsync());
        Assert.Equal(3, await CountAsync($"select count(*) from {S}.mt_events where type = 'tombstone'"));
    }

    [Fact]
    public async Task a_tombstone_landing_after_the_chain_was_sealed_past_its_sequence_verifies()
    {
        var (_, ticketA, _) = await AppendStoryAsync();
        await ClaimCreditCodeAsync();

        // Holds Marten's tombstone write back, as a database restart does, by occupying its tombstone stream's row.
        await using var blocker = await OpenAsync();
        await using var holding = await blocker.BeginTransactionAsync();
        await using (var occupy = new NpgsqlCommand(
            $"insert into {S}.mt_streams (id, tenant_id, version, is_archived) values (@id, 'yinhe', 0, false)", blocker, holding))
        {
            occupy.Parameters.AddWithValue("id", JasperFx.Events.Tombstone.StreamId);
            await occupy.ExecuteNonQueryAsync();
        }
        await FailAppendAsync(2, waitForTombstones: false);
        await AppendAsync(ticketA, new TicketReopened(ticketA, "masks ran out again", DateTimeOffset.UtcNow));
        Assert.Equal(9, await Chain.SealAsync());

        await holding.RollbackAsync();
        await TombstonesAsync(2);

        Assert.Equal(new TicketLedger.Audit.ChainVerification(true, 11, 11, null, null, 11), await Chain.VerifyAsync());
    }

    [Fact]
    public async Task tombstones_of_two_failed_appends_written_out_of_order_verify()
    {
        await AppendStoryAsync();
        // Two appends that failed side by side lost one sequence each; the later one's tombstone is written first, and
        // the trigger chains it to the genesis since the tombstone before it is not there yet.
        var lower = await CountAsync($"select nextval('{S}.mt_events_sequence')");
        var higher = await CountAsync($"select nextval('{S}.mt_events_sequence')");
        await ForgeTombstoneAsync(higher, JasperFx.Events.Tombstone.StreamId, "{}");
        await ForgeTombstoneAsync(lower, JasperFx.Events.Tombstone.StreamId, "{}");

        Assert.Equal(new TicketLedger.Audit.ChainVerification(true, 10, 10, null, null, null), await Chain.VerifyAsync());
    }

    [Fact]
    public async Task a_real_event_retyped_as_a_tombstone_is_found_at_its_sequence()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        await SqlAsync($"update {S}.mt_events set type = 'tombstone', data = '{{}}' where seq_id = 5");

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 5L), (result.Valid, result.FirstBrokenSequence));
        Assert.Contains("typed a tombstone but is not one Marten writes", result.Reason);
    }

    [Fact]
    public async Task a_tombstone_put_in_place_of_a_sealed_event_is_found_at_its_sequence()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();

        await SqlAsync($"delete from {S}.tl_audit_link where seq_id = 5; delete from {S}.mt_events where seq_id = 5;");
        await ForgeTombstoneAsync(5, Guid.NewGuid(), "{}");

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 5L), (result.Valid, result.FirstBrokenSequence));
        Assert.Equal("the seal of event 5 does not match the chain", result.Reason);
    }

    [Fact]
    public async Task a_tombstone_put_in_place_of_an_event_not_yet_sealed_breaks_its_stream()
    {
        var (_, _, ticketB) = await AppendStoryAsync();

        await SqlAsync($"delete from {S}.tl_audit_link where seq_id = 6; delete from {S}.mt_events where seq_id = 6;");
        await ForgeTombstoneAsync(6, Guid.NewGuid(), "{}");

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 8L), (result.Valid, result.FirstBrokenSequence));
        Assert.Equal($"version 2 of stream {ticketB} before event 8 is missing", result.Reason);
    }

    [Theory]
    [InlineData("business stream", "{}")]
    [InlineData("own stream", """{"resolution": "masks delivered"}""")]
    public async Task a_tombstone_unlike_those_marten_writes_is_found_at_its_sequence(string where, string data)
    {
        var (_, ticketA, _) = await AppendStoryAsync();
        await Chain.SealAsync();

        await ForgeTombstoneAsync(null, where == "business stream" ? ticketA : Guid.NewGuid(), data);

        var result = await Chain.VerifyAsync();
        Assert.Equal((false, 9L), (result.Valid, result.FirstBrokenSequence));
        Assert.Contains("typed a tombstone but is not one Marten writes", result.Reason);
    }

    private async Task ClaimCreditCodeAsync()
    {
        await using var session = Store.LightweightSession("yinhe");
        session.Insert(new CreditCodeClaim { Id = ClaimedCode, SubjectId = Guid.NewGuid() });
        await session.SaveChangesAsync();
    }

    /// <summary>
    /// A registration losing the race for its credit code, as RegisterSubject would: Marten numbers the events in the
    /// batch, the claim's insert then violates its key, and the whole transaction rolls back.
    /// </summary>
    private async Task FailAppendAsync(int events, bool waitForTombstones = true)
    {
        var before = await CountAsync($"select count(*) from {S}.mt_events where type = 'tombstone'");
        var subject = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow;
        await using (var session = Store.LightweightSession("yinhe"))
        {
            session.Events.StartStream(subject, [
                new SubjectRegistered(subject, "yinhe", SubjectKind.Enterprise, "Yinhe Twin", ClaimedCode, EnterpriseScale.Above,
                    KeyProjectLevel.None, "2 Mill Road", new Contact("Wu", "13900000000"), at),
                .. Enumerable.Range(0, events - 1).Select(i => new SubjectVisited(subject, DateOnly.FromDateTime(at.UtcDateTime), "kim", $"visit {i}", at)),
            ]);
            session.Insert(new CreditCodeClaim { Id = ClaimedCode, SubjectId = subject });
            await Assert.ThrowsAsync<DocumentAlreadyExistsException>(() => session.SaveChangesAsync());
        }
        if (waitForTombstones) await TombstonesAsync(before + events);
    }

    /// <summary>
    /// Marten posts tombstones to a background retry block that offers no completion signal, so this waits for the
    /// rows themselves, with a deadline.
    /// </summary>
    private async Task TombstonesAsync(long expected)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (await CountAsync($"select count(*) from {S}.mt_events where type = 'tombstone'") < expected)
            await poll.WaitForNextTickAsync(deadline.Token);
    }

    /// <summary>A row typed tombstone written straight into the table, through the append trigger; at the next sequence when none is given.</summary>
    private async Task ForgeTombstoneAsync(long? sequence, Guid stream, string data)
    {
        await using var connection = await OpenAsync();
        await using var forge = new NpgsqlCommand($"""
            insert into {S}.mt_streams (id, tenant_id, version, is_archived) values (@stream, 'yinhe', 0, false) on conflict do nothing;
            insert into {S}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
            select seq, gen_random_uuid(), @stream, seq, @data::jsonb, 'tombstone', '-infinity', 'yinhe', 'JasperFx.Events.Tombstone, JasperFx.Events'
              from (select coalesce(@sequence, nextval('{S}.mt_events_sequence')) as seq) n;
            """, connection);
        forge.Parameters.AddWithValue("stream", stream);
        forge.Parameters.AddWithValue("data", data);
        forge.Parameters.Add(new NpgsqlParameter("sequence", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)sequence ?? DBNull.Value });
        await forge.ExecuteNonQueryAsync();
    }
}
