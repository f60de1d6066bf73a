namespace TicketLedger.Tests.Ledger;

/// <summary>`seed` and `ledger`, run as the executable's own commands against a database of their own.</summary>
public sealed class the_command_line
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task seed_then_ledger_print_the_report_as_of_a_date_in_either_language()
    {
        var database = TestDatabase.ConnectionStringFor("tl_command_line");
        var seeded = await ServiceProcess.RunToEnd(database, Timeout, "seed");
        Assert.Contains("累计走访企业74家", seeded);

        var english = await ServiceProcess.RunToEnd(database, Timeout, "ledger", "--as-of", "2020-03-15", "--lang", "en", "--office", "yinhe");
        Assert.Contains("visited 74 enterprises and 31 construction sites", english);
        var again = await ServiceProcess.RunToEnd(database, Timeout, "seed");
        Assert.Contains("nothing added", again);
    }

    [Fact]
    public async Task ledger_refuses_a_malformed_date_naming_the_flag()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.RunToEnd(TestDatabase.ConnectionStringFor("tl_command_line_bad"), Timeout, "ledger", "--as-of", "2020-13-01"));
        Assert.Contains("--as-of: must be a date", error.Message);
    }

    [Fact]
    public async Task ledger_refuses_an_office_the_deployment_does_not_have()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.RunToEnd(TestDatabase.ConnectionStringFor("tl_command_line_bad"), Timeout, "ledger", "--office", "gangqu"));
        Assert.Contains("--office: 'gangqu' is not an office of this deployment (yinhe)", error.Message);
    }

    [Fact]
    public async Task in_a_district_the_seeds_load_into_the_ledger_office_and_the_other_office_stays_empty()
    {
        var database = TestDatabase.ConnectionStringFor("tl_command_line_district");
        var district = new Dictionary<string, string>
        {
            ["Offices__0__Code"] = "yinhe", ["Offices__1__Code"] = "gangqu", ["Offices__1__TimeZone"] = "Asia/Urumqi",
        };
        await ServiceProcess.RunToEnd(database, district, Timeout, "seed");

        var yinhe = await ServiceProcess.RunToEnd(database, district, Timeout, "ledger", "--as-of", "2020-03-15", "--lang", "en", "--office", "yinhe");
        Assert.Contains("visited 74 enterprises and 31 construction sites", yinhe);
        var gangqu = await ServiceProcess.RunToEnd(database, district, Timeout, "ledger", "--as-of", "2020-03-15", "--lang", "en", "--office", "gangqu");
        Assert.Contains("visited 0 enterprises and 0 construction sites", gangqu);
    }
}
