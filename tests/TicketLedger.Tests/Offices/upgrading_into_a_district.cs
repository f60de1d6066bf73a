using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;

namespace TicketLedger.Tests.Offices;

/// <summary>A single-office store opened by a district: what it recorded is `Ledger:Office`'s, and only its.</summary>
[Collection(UpgradedDistrictCollection.Name)]
public sealed class upgrading_into_a_district(UpgradedDistrictFixture fixture)
{
    private IAlbaHost Host => fixture.Host;

    [Fact]
    public async Task the_old_ledger_is_the_home_offices_and_the_new_office_starts_empty()
    {
        var saved = SingleOfficeFixture.LedgerFigures(await File.ReadAllTextAsync(SingleOfficeFixture.LedgerAtSeedEnd));
        Assert.True(JsonNode.DeepEquals(saved, SingleOfficeFixture.LedgerFigures(await GetAsync($"/api/ledger?asOf={SingleOfficeFixture.SeedEnd}", DistrictFixture.Yinhe))));

        var gangqu = JsonNode.Parse(await GetAsync($"/api/ledger?asOf={SingleOfficeFixture.SeedEnd}", DistrictFixture.Gangqu))!;
        Assert.Equal(0, gangqu["tickets"]!["raised"]!.GetValue<int>());
        Assert.Equal(0, gangqu["visits"]!["enterprisesVisited"]!.GetValue<int>());
    }

    [Fact]
    public async Task an_old_ticket_is_found_in_the_home_office_only()
    {
        var id = JsonDocument.Parse(await File.ReadAllTextAsync(SingleOfficeFixture.Ticket)).RootElement.GetProperty("id").GetGuid();
        await GetAsync($"/api/tickets/{id}", DistrictFixture.Yinhe);
        await GetAsync($"/api/tickets/{id}", DistrictFixture.Gangqu, status: 404);
    }

    private async Task<string> GetAsync(string url, string office, int status = 200)
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url(url);
            x.WithKey(Keys.Staff);
            x.InOffice(office);
            x.StatusCodeShouldBe(status);
        });
        return result.ReadAsText();
    }
}
