using TicketLedger.Tests.Subjects;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// A credit code is unique within an office, not across the district: an enterprise with premises in two offices'
/// areas is a subject of each, and refusing the second office would tell it that the first serves that enterprise.
/// </summary>
public sealed class credit_codes_per_office(DistrictFixture fixture) : DistrictTest(fixture)
{
    private readonly OfficeDesk _yinhe = new(fixture.Host, new Caller(DistrictKeys.YinheStaff));
    private readonly OfficeDesk _gangqu = new(fixture.Host, new Caller(DistrictKeys.GangquStaff));

    [Fact]
    public async Task the_same_enterprise_is_registered_once_in_each_office()
    {
        var code = SubjectScenarios.NewCreditCode();
        var yinhe = await _yinhe.Enterprise(code);
        var gangqu = await _gangqu.Enterprise(code);
        Assert.NotEqual(yinhe, gangqu);

        var again = await _gangqu.Post("/api/subjects", SubjectScenarios.Enterprise(code), status: 409);
        Assert.Contains(code, again.ReadAsText());
        var found = await _gangqu.Get($"/api/subjects?creditCode={code}");
        Assert.Equal(gangqu, found.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());
    }
}
