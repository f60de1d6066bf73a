using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketLedger.Bureaus;
using TicketLedger.Hosting;
using TicketLedger.Subjects;
using TicketLedger.Tests.Bureaus;
using TicketLedger.Tests.Offices;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Tickets;

/// <summary>
/// docs/ticket-lifecycle.md, "Numbers": the process counts an office's numbers itself and the counter row settles them at
/// each commit. A raise whose number is not the next by then commits nothing and runs again, so its client never sees
/// the race and the numbers stay gap-free.
/// </summary>
public sealed class numbers_counted_in_the_process(ApiFixture fixture) : ApiTest(fixture)
{
    private static DateTimeOffset In(int year) => new(year, 4, 1, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task a_raise_whose_number_another_node_took_runs_again_and_answers_the_next_one()
    {
        var subject = await Host.GivenSubject();
        var (_, first) = await Host.GivenTicket(subject, In(2012));
        // What a raise committed by another node leaves behind: the row one further than this process counted.
        await Execute("update ticketledger.ticket_numbers set last = last + 1 where year = 2012");

        var key = Guid.NewGuid().ToString("N");
        var raised = await Raise(subject, In(2012), key);
        var again = await Raise(subject, In(2012), key);

        var expected = TicketNumbers.Format(2012, int.Parse(first[5..]) + 2);
        Assert.Equal(expected, raised.Json().GetProperty("number").GetString());
        Assert.Equal(raised.ReadAsText(), again.ReadAsText());
        Assert.Equal("true", again.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
        Assert.Equal(int.Parse(expected[5..]), await Last(2012));
    }

    [Fact]
    public async Task raises_in_flight_behind_one_that_fails_at_its_commit_commit_without_a_gap()
    {
        var subject = await Host.GivenSubject();
        var (_, before) = await Host.GivenTicket(subject, In(2011));
        var taken = ProblemReferrals.TicketIdFor("jfj-gxc", "jfj-2011-0001");
        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe"))
        {
            session.Events.StartStream(taken, new SubjectRegistered(taken, "yinhe", SubjectKind.Site, "银河路地铁站施工项目", null, null,
                KeyProjectLevel.City, null, null, In(2011).AddDays(-1)));
            await session.SaveChangesAsync();
        }

        var raises = Enumerable.Range(0, 20).Select(_ => Host.GivenTicket(subject, In(2011))).ToList();
        var failing = Host.Scenario(x =>
        {
            x.Post.Json(new { messageId = "jfj-2011-0001", subjectId = subject, category = "labour", title = "用工缺口", description = "缺少熟练工30人", occurredAt = In(2011) })
                .ToUrl("/api/referrals");
            x.WithKey(Keys.Bureau);
            x.IgnoreStatusCode();
        });
        raises.AddRange(Enumerable.Range(0, 20).Select(_ => Host.GivenTicket(subject, In(2011))));

        Assert.NotEqual(201, (await failing).Context.Response.StatusCode);
        var numbers = (await Task.WhenAll(raises)).Select(r => int.Parse(r.Number[5..])).Order();
        var start = int.Parse(before[5..]) + 1;
        Assert.Equal(Enumerable.Range(start, 40), numbers);
        Assert.Equal(start + 39, await Last(2011));
    }

    [Fact]
    public async Task a_referral_message_whose_number_another_node_took_is_handled_again_with_the_next_one()
    {
        var subject = await Host.GivenSubject();
        var (_, first) = await Host.GivenTicket(subject, In(2010));
        await Execute("update ticketledger.ticket_numbers set last = last + 1 where year = 2010");

        await Host.ToOfficeInbox(new ProblemReferral("rsj-2010-0007", "rsj", subject, "labour", "缺少熟练工", "复工缺少熟练工三十人", In(2010)),
            expectFailure: true);

        var ticket = await Host.GetTicket(ProblemReferrals.TicketIdFor("rsj", "rsj-2010-0007"));
        Assert.Equal(TicketNumbers.Format(2010, int.Parse(first[5..]) + 2), ticket.GetProperty("number").GetString());
    }

    private Task<IScenarioResult> Raise(Guid subject, DateTimeOffset at, string idempotencyKey) => Host.Scenario(x =>
    {
        x.Post.Json(TicketScenarios.RaiseBody(subject, at)).ToUrl("/api/tickets");
        x.WithKey(Keys.Staff);
        x.WithRequestHeader(Idempotency.Header, idempotencyKey);
        x.StatusCodeShouldBe(201);
    });

    private async Task Execute(string sql)
    {
        await using var connection = await Host.OpenConnection();
        await using var command = new NpgsqlCommand(sql, connection);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<int> Last(int year)
    {
        await using var connection = await Host.OpenConnection();
        await using var command = new NpgsqlCommand($"select last from ticketledger.ticket_numbers where year = {year}", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
