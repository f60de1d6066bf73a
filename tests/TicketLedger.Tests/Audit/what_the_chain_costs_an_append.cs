using System.Diagnostics;
using TicketLedger.Tickets;
using Xunit.Abstractions;

namespace TicketLedger.Tests.Audit;

/// <summary>
/// Append latency with the link trigger on and off, written to the test output
/// (`dotnet test --filter what_the_chain_costs --logger "console;verbosity=detailed"`). The figures are for the
/// report; the assertions only check that each run measured what it says.
/// </summary>
public sealed class what_the_chain_costs_an_append(AuditFixture fixture, ITestOutputHelper output) : AuditTest(fixture)
{
    private const int Streams = 20;
    private const int EventsPerStream = 10;
    private const int Rounds = 3;

    [Fact]
    public async Task appends_with_and_without_the_chain()
    {
        await AppendManyAsync(writers: 1); // warm-up: connections, codegen, plans
        foreach (var writers in new[] { 1, 4 })
        {
            // Alternating rounds, medians: the machine is shared, and the table grows as the runs go.
            var chained = new List<double>();
            var plain = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                if (round % 2 == 0) chained.Add(await MillisecondsPerAppendAsync(writers, chain: true));
                plain.Add(await MillisecondsPerAppendAsync(writers, chain: false));
                if (round % 2 == 1) chained.Add(await MillisecondsPerAppendAsync(writers, chain: true));
            }
            output.WriteLine($"{writers} writer(s), {Rounds} x {Streams * EventsPerStream} single-event appends: " +
                             $"median {Median(chained):F2} ms per append with the chain, {Median(plain):F2} ms without, " +
                             $"cost {100 * (Median(chained) / Median(plain) - 1):F0} % (rounds: {string.Join(" ", chained.Select(x => x.ToString("F2")))} / {string.Join(" ", plain.Select(x => x.ToString("F2")))})");
        }

        // Link what was appended with the trigger off, as installing the chain on an existing store does.
        await SqlAsync("select ticketledger.tl_audit_link_missing()");
        var sealing = Stopwatch.StartNew();
        var sealedCount = await Chain.SealAsync();
        output.WriteLine($"sealing {sealedCount} events: {sealing.ElapsedMilliseconds} ms");
        var verifying = Stopwatch.StartNew();
        var result = await Chain.VerifyAsync();
        output.WriteLine($"verifying {result.EventsChecked} events: {verifying.ElapsedMilliseconds} ms");
        Assert.True(result.Valid, result.Reason);
    }

    private async Task<double> MillisecondsPerAppendAsync(int writers, bool chain)
    {
        if (chain) return (await AppendManyAsync(writers)).TotalMilliseconds / (Streams * EventsPerStream);
        await SqlAsync("alter table ticketledger.mt_events disable trigger tl_audit_append");
        var links = await CountAsync("select count(*) from ticketledger.tl_audit_link");
        try { return (await AppendManyAsync(writers)).TotalMilliseconds / (Streams * EventsPerStream); }
        finally
        {
            await SqlAsync("alter table ticketledger.mt_events enable trigger tl_audit_append");
            Assert.Equal(links, await CountAsync("select count(*) from ticketledger.tl_audit_link"));
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Each append its own session and transaction, as an HTTP command would be; writers work on their own streams.</summary>
    private async Task<TimeSpan> AppendManyAsync(int writers)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async writer =>
        {
            for (var s = writer; s < Streams; s += writers)
            {
                var ticket = Guid.NewGuid();
                await AppendAsync(ticket, Raised(ticket, Guid.NewGuid(), $"B-{s}", at), start: true);
                for (var i = 1; i < EventsPerStream; i++) await AppendAsync(ticket, new TicketResponded(ticket, $"reply {i}", at));
            }
        }));
        return clock.Elapsed;
    }
}
