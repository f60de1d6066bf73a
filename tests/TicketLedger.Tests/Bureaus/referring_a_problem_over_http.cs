using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TicketLedger.Bureaus;
using TicketLedger.Hosting;
using TicketLedger.Subjects;
using TicketLedger.Tickets;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Bureaus;

/// <summary>POST /api/referrals: a bureau key hands the office a problem, with the effect of the ProblemReferral message.</summary>
public sealed class referring_a_problem_over_http(ApiFixture fixture) : ApiTest(fixture)
{
    private static object Referral(Guid subjectId, string messageId) =>
        new { messageId, subjectId, category = "labour", title = "用工缺口", description = "缺少熟练工30人" };

    private Task<IScenarioResult> Refer(object body, int status, string key = Keys.Bureau, string? idempotencyKey = null) => Host.Scenario(x =>
    {
        x.Post.Json(body).ToUrl("/api/referrals");
        x.WithKey(key);
        if (idempotencyKey is not null) x.WithRequestHeader(Idempotency.Header, idempotencyKey);
        x.StatusCodeShouldBe(status);
    });

    [Fact]
    public async Task a_bureau_referral_raises_a_ticket_from_that_bureau_with_its_deadline()
    {
        var subject = await Host.GivenSubject();
        var created = (await Refer(Referral(subject, "jfj-2020-0001"), 201)).Json();

        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(ProblemReferrals.TicketIdFor("jfj-gxc", "jfj-2020-0001"), id);
        var ticket = await Host.GetTicket(id);
        Assert.Equal(created.GetProperty("number").GetString(), ticket.GetProperty("number").GetString());
        Assert.Equal("bureau-referral", ticket.GetProperty("source").GetString());
        Assert.Equal("open", ticket.GetProperty("status").GetString());
    }

    [Fact]
    public async Task the_same_message_id_sent_again_answers_with_the_ticket_it_raised()
    {
        var subject = await Host.GivenSubject();
        var first = (await Refer(Referral(subject, "jfj-2020-0002"), 201)).Json();
        var again = (await Refer(Referral(subject, "jfj-2020-0002"), 201)).Json();
        Assert.Equal(first.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid());
        Assert.Equal(first.GetProperty("number").GetString(), again.GetProperty("number").GetString());
        var list = await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(Keys.Staff); });
        Assert.Equal(1, list.Json().GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task an_idempotency_key_replays_the_first_outcome()
    {
        var subject = await Host.GivenSubject();
        var key = Guid.NewGuid().ToString("N");
        var first = await Refer(Referral(subject, "jfj-2020-0003"), 201, idempotencyKey: key);
        var second = await Refer(Referral(subject, "jfj-2020-0003"), 201, idempotencyKey: key);
        Assert.Equal(first.ReadAsText(), second.ReadAsText());
        Assert.Equal("true", second.Context.Response.Headers[Idempotency.ReplayedHeader].ToString());
    }

    [Fact]
    public async Task a_raise_that_fails_at_its_commit_gives_its_number_and_its_turn_back()
    {
        var subject = await Host.GivenSubject();
        var raisedAt = new DateTimeOffset(2014, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));
        var (_, before) = await Host.GivenTicket(subject, raisedAt);
        // A stream of another kind already holds the id this referral's ticket would get: the raise numbers its ticket,
        // then its append collides at the commit.
        var taken = ProblemReferrals.TicketIdFor("jfj-gxc", "jfj-2014-0001");
        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession("yinhe"))
        {
            session.Events.StartStream(taken, new SubjectRegistered(taken, "yinhe", SubjectKind.Site, "银河路地铁站施工项目", null, null,
                KeyProjectLevel.City, null, null, raisedAt.AddDays(-1)));
            await session.SaveChangesAsync();
        }
        var refused = await Host.Scenario(x =>
        {
            x.Post.Json(new { messageId = "jfj-2014-0001", subjectId = subject, category = "labour", title = "用工缺口", description = "缺少熟练工30人", occurredAt = raisedAt })
                .ToUrl("/api/referrals");
            x.WithKey(Keys.Bureau);
            x.IgnoreStatusCode();
        });
        Assert.NotEqual(201, refused.Context.Response.StatusCode);

        // The office's next raise is not kept waiting by the failed one, and takes the number it gave back.
        var (_, next) = await Host.GivenTicket(subject, raisedAt).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(TicketNumbers.Format(2014, int.Parse(before[5..]) + 1), next);
    }

    [Fact]
    public async Task an_invalid_referral_is_400_naming_its_fields()
    {
        var result = await Refer(new { subjectId = Guid.NewGuid(), category = "nope" }, 400);
        var errors = result.Json().GetProperty("errors");
        foreach (var field in new[] { "messageId", "category", "title", "description" }) Assert.True(errors.TryGetProperty(field, out _), field);
        await Refer(Referral(Guid.NewGuid(), "jfj-2020-0004"), 400);
    }

    [Theory]
    [InlineData(Keys.Staff)]
    [InlineData(Keys.Auditor)]
    [InlineData(Keys.Admin)]
    public async Task only_a_bureau_key_may_refer(string key)
    {
        var subject = await Host.GivenSubject();
        await Refer(Referral(subject, "x-1"), 403, key);
    }
}
