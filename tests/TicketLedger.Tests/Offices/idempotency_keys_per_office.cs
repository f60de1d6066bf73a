using Alba;
using TicketLedger.Hosting;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// An Idempotency-Key is claimed in the office the request acts in (docs/ticket-lifecycle.md): the same key sent to
/// another office is another request there, never a replay of the first office's outcome.
/// </summary>
public sealed class idempotency_keys_per_office(DistrictFixture fixture) : DistrictTest(fixture)
{
    private static readonly object Site = new { kind = "site", name = "航空港区地铁站工地", keyProjectLevel = "city", address = "郑州航空港区" };

    [Fact]
    public async Task a_key_reused_in_another_office_runs_there_and_each_office_replays_its_own_outcome()
    {
        var key = Guid.NewGuid().ToString();

        var yinhe = await Register(key, DistrictFixture.Yinhe);
        var gangqu = await Register(key, DistrictFixture.Gangqu);
        Assert.False(yinhe.Replayed);
        Assert.False(gangqu.Replayed);
        Assert.NotEqual(yinhe.Id, gangqu.Id);

        Assert.Equal((gangqu.Id, true), await Register(key, DistrictFixture.Gangqu));
        Assert.Equal((yinhe.Id, true), await Register(key, DistrictFixture.Yinhe));
        foreach (var (office, id) in new[] { (DistrictFixture.Yinhe, yinhe.Id), (DistrictFixture.Gangqu, gangqu.Id) })
        {
            var subjects = await new OfficeDesk(Host, new Caller(DistrictKeys.TwoOfficeStaff, office)).Get("/api/subjects");
            Assert.Equal(id, subjects.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());
        }
    }

    private async Task<(Guid Id, bool Replayed)> Register(string key, string office)
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(Site).ToUrl("/api/subjects");
            x.WithKey(DistrictKeys.TwoOfficeStaff);
            x.InOffice(office);
            x.WithRequestHeader(Idempotency.Header, key);
            x.StatusCodeShouldBe(201);
        });
        return (result.Json().GetProperty("id").GetGuid(), result.Context.Response.Headers.ContainsKey(Idempotency.ReplayedHeader));
    }
}
