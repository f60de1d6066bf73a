using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using TicketLedger.Hosting;

namespace TicketLedger.Tests.Offices;

public sealed class configuring_offices
{
    private static TicketLedger.Hosting.Offices From(params (string Key, string Value)[] settings) =>
        TicketLedger.Hosting.Offices.From(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void with_no_offices_configured_there_is_one_the_ledger_office_on_the_ledger_clock()
    {
        var offices = From(("Ledger:Office", "xinzheng"), ("Ledger:TimeZone", "Asia/Urumqi"));
        var office = Assert.Single(offices.All);
        Assert.Equal(("xinzheng", "Asia/Urumqi"), (office.Code, office.TimeZone.Id));
        Assert.Same(office, offices.Sole);
        Assert.False(offices.AreSeveral);
    }

    [Fact]
    public void configured_offices_take_the_ledger_time_zone_unless_they_name_their_own()
    {
        var offices = From(("Offices:0:Code", "yinhe"), ("Offices:0:Name", "银河办事处"), ("Offices:1:Code", "kashi"), ("Offices:1:TimeZone", "Asia/Urumqi"));
        Assert.Equal(["yinhe:银河办事处:Asia/Shanghai", "kashi:kashi:Asia/Urumqi"], offices.All.Select(o => $"{o.Code}:{o.Name}:{o.TimeZone.Id}"));
        Assert.True(offices.AreSeveral);
        Assert.Null(offices.Sole);
    }

    [Theory]
    [InlineData("Yinhe", "Offices:0:Code 'Yinhe' is not an office code")]
    [InlineData("y", "Offices:0:Code 'y' is not an office code")]
    [InlineData("yin he", "Offices:0:Code 'yin he' is not an office code")]
    public void an_office_code_outside_lower_case_letters_digits_and_dashes_is_refused(string code, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(("Offices:0:Code", code)));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void a_repeated_office_or_an_unknown_time_zone_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            From(("Offices:0:Code", "yinhe"), ("Offices:1:Code", "yinhe"), ("Offices:1:TimeZone", "Mars/Olympus")));
        Assert.Contains("the office code 'yinhe' is configured more than once", error.Message);
        Assert.Contains("Offices:1:TimeZone 'Mars/Olympus' is not a known time zone id", error.Message);
    }

    [Theory]
    [InlineData(null, null, "Auth:ApiKeys:4 ('ops') names no office")]
    [InlineData("nowhere", null, "Auth:ApiKeys:4:Office 'nowhere' is not a configured office")]
    [InlineData(null, "yinhe, nowhere", "Auth:ApiKeys:4:Offices names 'nowhere', which is not a configured office")]
    [InlineData("yinhe", "*", "Auth:ApiKeys:4 names both Office and Offices")]
    public async Task a_district_refuses_to_start_with_a_key_that_does_not_name_its_offices_rightly(string? office, string? offices, string message)
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.ConnectionStringFor("tl_district_start");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("Offices:0:Code", "yinhe");
            x.UseSetting("Offices:1:Code", "gangqu");
            x.UseSetting("Auth:ApiKeys:4:Name", "ops");
            x.UseSetting("Auth:ApiKeys:4:Role", "admin");
            x.UseSetting("Auth:ApiKeys:4:KeySha256", new string('0', 64));
            if (office is not null) x.UseSetting("Auth:ApiKeys:4:Office", office);
            if (offices is not null) x.UseSetting("Auth:ApiKeys:4:Offices", offices);
        }));
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public void an_office_database_must_name_a_connection_string()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            From(("Offices:0:Code", "yinhe"), ("Offices:1:Code", "kashi"), ("Offices:1:Database", "East")));
        Assert.Contains("Offices:1:Database 'East' names no connection string (set ConnectionStrings:East)", error.Message);
    }

    [Fact]
    public void offices_list_their_databases_the_main_one_first()
    {
        var offices = From(("Offices:0:Code", "kashi"), ("Offices:0:Database", "East"), ("Offices:1:Code", "yinhe"),
            ("ConnectionStrings:East", "Host=east;Database=ticketledger"));
        Assert.Equal(["Marten", "East"], offices.Databases);
        Assert.True(offices.SpreadOverDatabases);
        Assert.False(From(("Offices:0:Code", "yinhe"), ("Offices:1:Code", "gangqu")).SpreadOverDatabases);
    }

    [Fact]
    public async Task two_databases_of_one_name_on_one_host_are_refused_at_start()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connectionString = TestDatabase.ConnectionStringFor("tl_district_start");
        // The same database on another port: Wolverine would give both databases' projections one agent.
        var otherPort = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Port = 1 }.ConnectionString;
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("ConnectionStrings:East", otherPort);
            x.UseSetting("Offices:0:Code", "yinhe");
            x.UseSetting("Offices:1:Code", "kashi");
            x.UseSetting("Offices:1:Database", "East");
        }));
        Assert.Contains("Each database holding offices needs its own host or database name: ConnectionStrings:Marten and ConnectionStrings:East", error.ToString());
    }
}
