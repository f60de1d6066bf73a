using System.Net.Http.Json;
using Alba;

namespace TicketLedger.Tests.Offices;

public sealed class a_district_of_offices(DistrictFixture fixture) : DistrictTest(fixture)
{
    private static object Site(string name) => new { kind = "site", name, address = "郑州航空港区" };

    [Fact]
    public async Task each_office_numbers_its_own_tickets_and_sees_only_its_own()
    {
        var yinheSubject = await Register(DistrictKeys.YinheStaff, null);
        var gangquSubject = await Register(Keys.Staff, DistrictFixture.Gangqu);

        var yinhe = await Raise(DistrictKeys.YinheStaff, null, yinheSubject);
        var gangqu = await Raise(DistrictKeys.TwoOfficeStaff, DistrictFixture.Gangqu, gangquSubject);
        Assert.Equal(yinhe.Number, gangqu.Number);

        await Host.Scenario(x => { x.Get.Url($"/api/tickets/{gangqu.Id}"); x.WithKey(DistrictKeys.YinheStaff); x.StatusCodeShouldBe(404); });
        await Host.Scenario(x => { x.Get.Url($"/api/tickets/{gangqu.Id}"); x.WithKey(DistrictKeys.GangquStaff); x.StatusCodeShouldBe(200); });
    }

    [Fact]
    public async Task a_key_allowed_several_offices_must_name_one()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(DistrictKeys.TwoOfficeStaff); x.StatusCodeShouldBe(400); });
        Assert.Contains("X-Office", result.ReadAsText());
    }

    [Fact]
    public async Task an_office_the_key_may_not_use_is_forbidden()
    {
        await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(DistrictKeys.TwoOfficeStaff); x.InOffice(DistrictFixture.Kashi); x.StatusCodeShouldBe(403); });
        await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(DistrictKeys.YinheStaff); x.InOffice(DistrictFixture.Gangqu); x.StatusCodeShouldBe(403); });
        await Host.Scenario(x => { x.Get.Url("/api/tickets"); x.WithKey(Keys.Staff); x.InOffice("nowhere"); x.StatusCodeShouldBe(403); });
    }

    private async Task<Guid> Register(string key, string? office)
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(Site("工地")).ToUrl("/api/subjects");
            x.WithKey(key);
            if (office is not null) x.InOffice(office);
            x.StatusCodeShouldBe(201);
        });
        return result.Json().GetProperty("id").GetGuid();
    }

    private async Task<(Guid Id, string Number)> Raise(string key, string? office, Guid subject)
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(new { subjectId = subject, category = "supplies", title = "口罩", description = "缺口罩", source = "visit" }).ToUrl("/api/tickets");
            x.WithKey(key);
            if (office is not null) x.InOffice(office);
            x.StatusCodeShouldBe(201);
        });
        var body = result.Json();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("number").GetString()!);
    }
}
