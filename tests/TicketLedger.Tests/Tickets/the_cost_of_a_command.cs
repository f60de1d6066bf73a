using System.Diagnostics;
using Alba;
using TicketLedger.Tickets;
using Xunit.Abstractions;

namespace TicketLedger.Tests.Tickets;

/// <summary>
/// Database round trips per request, counted from Npgsql's command activities in the request's trace, its group's
/// commit included (a lone command's group continues its trace), so background polling by Wolverine and the daemon is
/// not counted. Guards against a change that quietly adds queries.
/// </summary>
public sealed class the_cost_of_a_command(ApiFixture fixture, ITestOutputHelper output) : ApiTest(fixture)
{
    /// <summary>
    /// Other collections' hosts serve requests in this process at the same time, so the request is told apart by its
    /// route and caller, not by being the first one seen.
    /// </summary>
    private async Task<IReadOnlyList<string>> Commands(string route, Func<Task> request)
    {
        ActivityTraceId? requestTrace = null;
        using var statements = new TracedStatements(a =>
        {
            if (a.Source.Name == "Microsoft.AspNetCore" && a.Parent is null
                && a.GetTagItem("http.route") as string == route && a.GetTagItem("enduser.id") as string == "local-staff") requestTrace = a.TraceId;
        }, source => source.Name == "Microsoft.AspNetCore");
        await request();
        // The server's request activity can stop a moment after the in-memory client has its response.
        SpinWait.SpinUntil(() => requestTrace is not null, TimeSpan.FromSeconds(5));
        return requestTrace is { } trace ? statements.Of(trace) : [];
    }

    /// <summary>
    /// The office's first raise of a year creates its counter row, which a group of raises only takes when it exists (one
    /// round trip more, once): what follows measures the raises after it.
    /// </summary>
    private async Task TheYearsFirstRaise() => await Host.GivenTicket(await Host.GivenSubject());

    private void Show(string what, IReadOnlyList<string> commands)
    {
        output.WriteLine($"{what}: {commands.Count} round trips");
        foreach (var c in commands) output.WriteLine("  " + c.ReplaceLineEndings(" ")[..Math.Min(160, c.Length)]);
    }

    [Fact]
    public async Task a_raise_and_a_resolve_take_a_handful_of_round_trips()
    {
        await TheYearsFirstRaise();
        var subject = await Host.GivenSubject();
        (Guid Id, string Number) ticket = default;
        var raise = await Commands("/api/tickets", async () => ticket = await Host.GivenTicket(subject));
        await Host.Assign(ticket.Id);
        var resolve = await Commands("/api/tickets/{id}/resolve", () => Host.Resolve(ticket.Id));
        Show("raise", raise);
        Show("resolve", resolve);

        // raise: the subject check, then its group's number and append; resolve: the view with the stream version, then
        // its group's append, the view folded onto the copy the request read (the group reads no views again).
        Assert.InRange(raise.Count, 1, 3);
        Assert.Collection(resolve,
            view => Assert.Contains("mt_doc_ticketview", view),
            append => Assert.Contains("mt_quick_append_events", append));
    }

    [Fact]
    public async Task a_raise_for_a_subject_seen_registered_asks_nothing_before_its_group()
    {
        var subject = await Host.GivenSubject();
        await Host.GivenTicket(subject);
        var second = await Commands("/api/tickets", () => Host.GivenTicket(subject));
        Show("second raise of a subject", second);
        Assert.Collection(second,
            number => Assert.Contains("ticket_numbers", number),
            append => Assert.Contains("mt_quick_append_events", append));
    }

    [Fact]
    public async Task an_idempotency_key_adds_a_claim_and_a_record()
    {
        await TheYearsFirstRaise();
        var subject = await Host.GivenSubject();
        var raise = await Commands("/api/tickets", () => Host.Scenario(x =>
        {
            x.Post.Json(TicketScenarios.RaiseBody(subject)).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.WithRequestHeader(TicketLedger.Hosting.Idempotency.Header, Guid.NewGuid().ToString());
            x.StatusCodeShouldBe(201);
        }));
        Show("raise with Idempotency-Key", raise);
        Assert.InRange(raise.Count, 1, 5);
    }
}
