namespace TicketLedger.Tests.Offices;

/// <summary>Numbers repeat from office to office, so every ticket read and every history entry says whose it is.</summary>
public sealed class tickets_name_their_office(DistrictFixture fixture) : DistrictTest(fixture)
{
    private readonly OfficeDesk _gangqu = new(fixture.Host, new Caller(DistrictKeys.GangquStaff));

    [Fact]
    public async Task a_ticket_its_list_and_its_history_carry_the_office()
    {
        var ticket = await _gangqu.Ticket(OfficeDesk.State.Assigned);

        Assert.Equal(DistrictFixture.Gangqu, (await _gangqu.Get($"/api/tickets/{ticket}")).GetProperty("office").GetString());
        Assert.Equal(DistrictFixture.Gangqu, (await _gangqu.Get($"/api/tickets/{ticket}?version=1")).GetProperty("office").GetString());
        Assert.Equal(DistrictFixture.Gangqu, (await _gangqu.Get("/api/tickets")).GetProperty("items")[0].GetProperty("office").GetString());

        var history = await _gangqu.Get($"/api/tickets/{ticket}/history");
        Assert.Equal(DistrictFixture.Gangqu, history.GetProperty("office").GetString());
        var entries = history.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(DistrictFixture.Gangqu, e.GetProperty("office").GetString()));

        var csv = (await _gangqu.Text($"/api/tickets/{ticket}/history.csv")).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",data,office", csv[0]);
        Assert.All(csv[1..], row => Assert.EndsWith(",gangqu", row));
    }
}
