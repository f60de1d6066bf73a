using Alba;

namespace TicketLedger.Tests.Tickets;

public sealed class a_bureau_and_its_tickets(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_bureau_reads_only_the_tickets_escalated_to_it()
    {
        var (mine, _) = await Host.GivenTicket();
        var (theirs, _) = await Host.GivenTicket();
        var (internalOnly, _) = await Host.GivenTicket();
        await Host.Escalate(mine, "jfj-gxc");
        await Host.Escalate(theirs, "rsj");

        await Host.Scenario(x => { x.Get.Url($"/api/tickets/{mine}"); x.WithKey(Keys.Bureau); });
        await Host.Scenario(x => { x.Get.Url($"/api/tickets/{mine}/history"); x.WithKey(Keys.Bureau); });
        foreach (var id in new[] { theirs, internalOnly })
        {
            await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}"); x.WithKey(Keys.Bureau); x.StatusCodeShouldBe(404); });
            await Host.Scenario(x => { x.Get.Url($"/api/tickets/{id}/history"); x.WithKey(Keys.Bureau); x.StatusCodeShouldBe(404); });
        }
        var list = (await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(Keys.Bureau); })).Json();
        Assert.Equal(mine, list.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());
        var all = (await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(Keys.Auditor); })).Json();
        Assert.Equal(3, all.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task a_bureau_replies_to_a_ticket_escalated_to_it()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "jfj-gxc");
        await Host.Command(id, "bureau-replies", new { bureau = "jfj-gxc", message = "已安排" }, key: Keys.Bureau);
        Assert.Equal(3, (await Host.GetTicket(id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_bureau_may_not_speak_for_another_bureau()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "jfj-gxc");
        await Host.Command(id, "bureau-replies", new { bureau = "rsj", message = "冒名" }, status: 403, key: Keys.Bureau);
    }

    [Fact]
    public async Task a_bureau_cannot_reply_on_a_ticket_not_escalated_to_it()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "rsj");
        await Host.Command(id, "bureau-replies", new { bureau = "jfj-gxc", message = "?" }, status: 404, key: Keys.Bureau);
    }

    /// <summary>The 404 says no more than an unknown id's: a bureau does not learn that a ticket it may not see exists.</summary>
    [Fact]
    public async Task a_reply_on_a_ticket_not_escalated_to_the_bureau_is_refused_as_an_unknown_id_is()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "rsj");
        var unknown = Guid.NewGuid();

        var hidden = (await Host.Command(id, "bureau-replies", new { bureau = "jfj-gxc", message = "?" }, status: 404, key: Keys.Bureau)).Json();
        var missing = (await Host.Command(unknown, "bureau-replies", new { bureau = "jfj-gxc", message = "?" }, status: 404, key: Keys.Bureau)).Json();

        Assert.Equal(missing.GetProperty("title").GetString(), hidden.GetProperty("title").GetString());
        Assert.Equal(missing.GetProperty("detail").GetString()!.Replace(unknown.ToString(), "{id}"), hidden.GetProperty("detail").GetString()!.Replace(id.ToString(), "{id}"));
    }

    [Fact]
    public async Task staff_cannot_record_a_reply_from_a_bureau_the_ticket_was_not_escalated_to()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Command(id, "bureau-replies", new { bureau = "rsj", message = "?" }, status: 409);
        await Host.Escalate(id, "rsj");
        await Host.Command(id, "bureau-replies", new { bureau = "rsj", message = "已办" });
    }

    [Fact]
    public async Task an_auditor_may_not_record_bureau_replies()
    {
        var (id, _) = await Host.GivenTicket();
        await Host.Escalate(id, "jfj-gxc");
        await Host.Command(id, "bureau-replies", new { bureau = "jfj-gxc", message = "x" }, status: 403, key: Keys.Auditor);
    }
}
