using System.Text.Json;
using Alba;
using static TicketLedger.Tests.Offices.DistrictFixture;
using static TicketLedger.Tests.Offices.DistrictScenarios;

namespace TicketLedger.Tests.Offices;

public sealed class the_district_tickets(DistrictFixture fixture) : DistrictTest(fixture)
{
    private readonly DistrictScenarios Given = new(fixture.Host);

    [Fact]
    public async Task lists_every_office_the_key_may_use_newest_first_each_ticket_with_its_office_and_clock()
    {
        var yinhe = await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-11"));
        var kashi = await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));
        var gangqu = await Given.Raise(Gangqu, await Given.Enterprise(Gangqu), Beijing("2020-02-13"));

        var all = await Given.Get("/api/district/tickets", Keys.Staff);
        Assert.Equal([gangqu, kashi, yinhe], Ids(all));
        Assert.Equal([Gangqu, Kashi, Yinhe], Items(all).Select(i => i.GetProperty("office").GetString()));
        Assert.Equal(3, all.GetProperty("total").GetInt64());
        // Each ticket on its own office's clock: 10:00 in Beijing is 08:00 in Urumqi.
        Assert.Equal("2020-02-12T08:00:00+06:00", Items(all)[1].GetProperty("raisedAt").GetString());
        Assert.Equal("2020-02-11T10:00:00+08:00", Items(all)[2].GetProperty("raisedAt").GetString());

        var two = await Given.Get("/api/district/tickets", DistrictKeys.TwoOfficeStaff);
        Assert.Equal([gangqu, yinhe], Ids(two));
        Assert.Equal(2, two.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task a_key_that_names_an_office_twice_lists_its_tickets_once()
    {
        var yinhe = await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-11"));
        var gangqu = await Given.Raise(Gangqu, await Given.Enterprise(Gangqu), Beijing("2020-02-13"));

        var listed = await Given.Get("/api/district/tickets", DistrictKeys.RepeatedOfficeStaff);
        Assert.Equal([gangqu, yinhe], Ids(listed));
        Assert.Equal(2, listed.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task office_narrows_the_list_to_one_office_the_key_may_use()
    {
        await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-11"));
        var gangqu = await Given.Raise(Gangqu, await Given.Enterprise(Gangqu), Beijing("2020-02-13"));
        await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));

        Assert.Equal([gangqu], Ids(await Given.Get("/api/district/tickets?office=gangqu", DistrictKeys.TwoOfficeStaff)));

        // Not the key's, or no office at all: the same 403 either way, as for X-Office.
        foreach (var office in new[] { Kashi, "nowhere" })
        {
            var refused = await Host.Scenario(x =>
            {
                x.Get.Url($"/api/district/tickets?office={office}");
                x.WithKey(DistrictKeys.TwoOfficeStaff);
                x.StatusCodeShouldBe(403);
            });
            Assert.Contains("yinhe, gangqu", refused.Json().GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task filters_and_pages_as_an_offices_own_list()
    {
        var yinhe = await Given.Enterprise(Yinhe);
        var gangqu = await Given.Enterprise(Gangqu);
        var labour = new List<Guid>();
        for (var day = 10; day < 15; day++)
        {
            labour.Add(await Given.Raise(day % 2 == 0 ? Yinhe : Gangqu, day % 2 == 0 ? yinhe : gangqu, Beijing($"2020-02-{day}"), "labour"));
            await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing($"2020-02-{day}", 11), "supplies");
        }
        var resolved = labour[0];
        await Given.Respond(Yinhe, resolved, Beijing("2020-02-10", 11));
        await Given.Resolve(Yinhe, resolved, Beijing("2020-02-10", 12));
        labour.Reverse();

        var first = await Given.Get("/api/district/tickets?category=labour&pageSize=2", Keys.Staff);
        var second = await Given.Get("/api/district/tickets?category=labour&pageSize=2&page=2", Keys.Staff);
        Assert.Equal(labour.Take(2), Ids(first));
        Assert.Equal(labour.Skip(2).Take(2), Ids(second));
        Assert.Equal((5, 2, 2), (first.GetProperty("total").GetInt32(), second.GetProperty("page").GetInt32(), second.GetProperty("pageSize").GetInt32()));

        Assert.Equal([resolved], Ids(await Given.Get("/api/district/tickets?status=resolved", Keys.Staff)));
        Assert.Equal(9, (await Given.Get("/api/district/tickets?overdue=true", Keys.Staff)).GetProperty("total").GetInt32());
        Assert.Equal([labour[1], labour[3]], Ids(await Given.Get($"/api/district/tickets?subjectId={gangqu}", Keys.Staff)));
        Assert.Equal(5, (await Given.Get("/api/district/tickets?office=kashi", Keys.Staff)).GetProperty("total").GetInt32());

        var invalid = await Host.Scenario(x => { x.Get.Url("/api/district/tickets?status=lost&page=0"); x.WithKey(Keys.Staff); x.StatusCodeShouldBe(400); });
        Assert.True(invalid.Errors().TryGetProperty("status", out _));
        Assert.True(invalid.Errors().TryGetProperty("page", out _));
    }

    [Fact]
    public async Task a_bureau_key_sees_only_the_tickets_escalated_to_its_bureau_in_every_office()
    {
        var yinhe = await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-11"));
        var kashi = await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));
        var elsewhere = await Given.Raise(Gangqu, await Given.Enterprise(Gangqu), Beijing("2020-02-13"));
        await Given.Raise(Gangqu, await Given.Enterprise(Gangqu), Beijing("2020-02-14"));
        await Given.Escalate(Yinhe, yinhe, "jfj-gxc");
        await Given.Escalate(Kashi, kashi, "jfj-gxc");
        await Given.Escalate(Gangqu, elsewhere, "rsj");

        var mine = await Given.Get("/api/district/tickets", Keys.Bureau);
        Assert.Equal([kashi, yinhe], Ids(mine));
        Assert.Equal(2, mine.GetProperty("total").GetInt64());
        Assert.All(Items(mine), i => Assert.Equal("jfj-gxc", i.GetProperty("bureau").GetString()));
    }

    private static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    private static List<Guid> Ids(JsonElement page) => Items(page).Select(i => i.GetProperty("id").GetGuid()).ToList();
}
