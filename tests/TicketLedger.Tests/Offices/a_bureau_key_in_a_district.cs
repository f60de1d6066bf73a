using Alba;
using TicketLedger.Bureaus;
using static TicketLedger.Tests.Offices.DistrictFixture;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// A bureau's key over HTTP in a district: like any key allowed several offices it names the office in X-Office, and
/// there it refers problems, reads and answers only the tickets escalated to its bureau.
/// </summary>
public sealed class a_bureau_key_in_a_district(DistrictFixture fixture) : DistrictTest(fixture)
{
    private Task<IScenarioResult> Refer(string? office, Guid subject, string messageId, int status) => Host.Scenario(x =>
    {
        x.Post.Json(new { messageId, subjectId = subject, category = "labour", title = "用工缺口", description = "缺少熟练工30人" }).ToUrl("/api/referrals");
        x.WithKey(Keys.Bureau);
        if (office is not null) x.InOffice(office);
        x.StatusCodeShouldBe(status);
    });

    private async Task<List<Guid>> ListedFor(string office) =>
        (await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(Keys.Bureau); x.InOffice(office); }))
        .Json().GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task a_referral_over_http_raises_its_ticket_in_the_office_named_in_x_office()
    {
        var subject = await Host.GivenSubjectIn(Kashi);

        var created = (await Refer(Kashi, subject, "jfj-2020-0101", 201)).Json();

        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(ProblemReferrals.TicketIdFor("jfj-gxc", "jfj-2020-0101", Kashi), id);
        var ticket = (await Host.TicketIn(Kashi, id))!.Value;
        Assert.Equal((created.GetProperty("number").GetString(), "bureau-referral"), (ticket.GetProperty("number").GetString(), ticket.GetProperty("source").GetString()));
        Assert.Null(await Host.TicketIn(Yinhe, id));
        Assert.Equal(1, await Host.TicketCountIn(Kashi));
    }

    [Fact]
    public async Task a_referral_over_http_must_name_an_office_and_finds_only_that_offices_subjects()
    {
        var subject = await Host.GivenSubjectIn(Kashi);

        Assert.Contains("X-Office", (await Refer(null, subject, "jfj-2020-0102", 400)).ReadAsText());
        await Refer("nowhere", subject, "jfj-2020-0103", 403);
        var elsewhere = (await Refer(Yinhe, subject, "jfj-2020-0104", 400)).Json();
        Assert.True(elsewhere.GetProperty("errors").TryGetProperty("subjectId", out _));
        Assert.Equal((0, 0), (await Host.TicketCountIn(Kashi), await Host.TicketCountIn(Yinhe)));
    }

    [Fact]
    public async Task a_bureau_reads_only_the_tickets_escalated_to_it_in_the_office_it_names()
    {
        var (yinhe, _) = await Host.GivenTicketIn(Yinhe);
        var (gangqu, _) = await Host.GivenTicketIn(Gangqu);
        var (gangquToRsj, _) = await Host.GivenTicketIn(Gangqu);
        await Host.GivenTicketIn(Gangqu);
        await Host.EscalateIn(Yinhe, yinhe, "jfj-gxc");
        await Host.EscalateIn(Gangqu, gangqu, "jfj-gxc");
        await Host.EscalateIn(Gangqu, gangquToRsj, "rsj");

        Assert.Equal([gangqu], await ListedFor(Gangqu));
        Assert.Equal([yinhe], await ListedFor(Yinhe));
        Assert.Empty(await ListedFor(Kashi));
        Assert.NotNull(await Host.TicketIn(Gangqu, gangqu, Keys.Bureau));
        Assert.Null(await Host.TicketIn(Gangqu, gangquToRsj, Keys.Bureau));
        Assert.Null(await Host.TicketIn(Gangqu, yinhe, Keys.Bureau));
        await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(Keys.Bureau); x.StatusCodeShouldBe(400); });
    }

    [Fact]
    public async Task a_bureau_answers_over_http_only_in_the_office_of_the_ticket()
    {
        var (gangqu, _) = await Host.GivenTicketIn(Gangqu);
        await Host.EscalateIn(Gangqu, gangqu, "jfj-gxc");

        Task Reply(string office, int status) => Host.Scenario(x =>
        {
            x.Post.Json(new { bureau = "jfj-gxc", message = "已安排" }).ToUrl($"/api/tickets/{gangqu}/bureau-replies");
            x.WithKey(Keys.Bureau);
            x.InOffice(office);
            x.StatusCodeShouldBe(status);
        });
        await Reply(Yinhe, 404);
        await Reply(Gangqu, 204);

        Assert.Single(await Host.HistoryIn(Gangqu, gangqu), e => e.GetProperty("type").GetString() == "BureauReplied");
    }
}
