using Npgsql;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Audit;

public sealed class sealing_the_global_chain(AuditFixture fixture) : AuditTest(fixture)
{
    private const string S = "ticketledger";

    [Fact]
    public async Task parallel_appends_to_different_streams_are_all_linked_and_sealed_in_order()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            var ticket = Guid.NewGuid();
            await AppendAsync(ticket, Raised(ticket, Guid.NewGuid(), $"P-{writer}", at), start: true);
            for (var i = 0; i < 10; i++) await AppendAsync(ticket, new TicketResponded(ticket, $"reply {i}", at));
        }));

        await Chain.SealAsync();

        Assert.Equal(new TicketLedger.Audit.ChainVerification(true, 88, 88, null, null, 88), await Chain.VerifyAsync());
    }

    [Fact]
    public async Task sealing_waits_for_an_append_still_in_flight_below_the_newest_event()
    {
        await AppendStoryAsync();
        var late = Guid.NewGuid();

        // An append that took sequence 9 but has not committed yet, while event 10 commits.
        await using var inFlight = await OpenAsync();
        await using var transaction = await inFlight.BeginTransactionAsync();
        await new NpgsqlCommand($"""
            insert into {S}.mt_streams (id, type, version, timestamp, created, tenant_id) values ('{late}', null, 1, now(), now(), 'yinhe');
            insert into {S}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
            values (nextval('{S}.mt_events_sequence'), gen_random_uuid(), '{late}', 1, '{"{}"}', 'ticket_reopened', now(), 'yinhe', 'x');
            """, inFlight, transaction).ExecuteNonQueryAsync();
        var next = Guid.NewGuid();
        await AppendAsync(next, new TicketReopened(next, "after", DateTimeOffset.UtcNow), start: true);

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Chain.SealAsync(patience.Token));
        Assert.Equal(0, await CountAsync($"select count(*) from {S}.tl_audit_seal"));

        await transaction.CommitAsync();
        Assert.Equal(10, await Chain.SealAsync());
        Assert.Equal(new TicketLedger.Audit.ChainVerification(true, 10, 10, null, null, 10), await Chain.VerifyAsync());
    }
}
