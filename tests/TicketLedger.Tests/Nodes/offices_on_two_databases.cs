using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Npgsql;
using TicketLedger.Tests.Offices;
using static TicketLedger.Tests.Offices.DistrictFixture;
using static TicketLedger.Tests.Offices.DistrictScenarios;

namespace TicketLedger.Tests.Nodes;

public sealed class offices_on_two_databases(SplitDistrictFixture fixture) : SplitDistrictTest(fixture)
{
    private readonly DistrictScenarios Given = new(fixture.Host);

    private async Task<long> EventsOf(string connectionString, string office)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from ticketledger.mt_events where tenant_id = @office", connection);
        count.Parameters.AddWithValue("office", office);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task each_office_records_in_its_own_database_only()
    {
        await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));
        await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-12"));

        Assert.Equal(2, await EventsOf(Fixture.EastConnectionString, Kashi));
        Assert.Equal(0, await EventsOf(Fixture.EastConnectionString, Yinhe));
        Assert.Equal(2, await EventsOf(Fixture.MainConnectionString, Yinhe));
        Assert.Equal(0, await EventsOf(Fixture.MainConnectionString, Kashi));
    }

    [Fact]
    public async Task another_databases_ticket_is_unknown_to_an_office()
    {
        var ticket = await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));

        await Host.Scenario(x =>
        {
            x.Get.Url($"/api/tickets/{ticket}");
            x.WithKey(DistrictKeys.YinheStaff);
            x.StatusCodeShouldBe(404);
        });
        await Host.Scenario(x =>
        {
            x.Get.Url($"/api/tickets/{ticket}");
            x.WithKey(DistrictKeys.KashiStaff);
            x.StatusCodeShouldBeOk();
        });
    }

    [Fact]
    public async Task the_district_ledger_reads_both_databases_and_each_row_is_the_offices_own_ledger()
    {
        foreach (var office in new[] { Yinhe, Gangqu, Kashi })
        {
            var subject = await Given.Enterprise(office);
            await Given.Visit(office, subject, "2020-02-12");
            await Given.Resolve(office, await Given.Raise(office, subject, Beijing("2020-02-12")), Beijing("2020-02-12", 15));
        }
        await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-13"));
        await Given.Settle();

        foreach (var point in new[] { "", "?asOf=2020-02-12" })
        {
            var district = JsonNode.Parse((await Given.Get("/api/district/ledger" + point)).GetRawText())!;
            foreach (var row in district["offices"]!.AsArray())
            {
                var code = row!["office"]!.GetValue<string>();
                var own = JsonNode.Parse((await Given.Get("/api/ledger" + point, office: code)).GetRawText())!;
                var figures = row.DeepClone().AsObject();
                figures.Remove("name");
                Assert.True(JsonNode.DeepEquals(own, figures), $"{code}{point}:\n{own}\n!=\n{figures}");
            }
        }
        var now = await Given.Get("/api/district/ledger");
        Assert.Equal(4, now.GetProperty("total").GetProperty("tickets").GetProperty("raised").GetInt32());
        Assert.Equal(3, now.GetProperty("total").GetProperty("tickets").GetProperty("resolved").GetInt32());
    }

    [Fact]
    public async Task the_district_list_pages_across_both_databases_newest_first()
    {
        var raised = new List<(Guid Id, DateTimeOffset At)>();
        foreach (var (office, hour) in new[] { (Yinhe, 9), (Kashi, 10), (Gangqu, 11), (Kashi, 12), (Yinhe, 13) })
            raised.Add((await Given.Raise(office, await Given.Enterprise(office), Beijing("2020-02-12", hour)), Beijing("2020-02-12", hour)));

        var seen = new List<Guid>();
        for (var page = 1; page <= 3; page++)
        {
            var list = await Given.Get($"/api/district/tickets?pageSize=2&page={page}", key: Keys.Staff);
            Assert.Equal(5, list.GetProperty("total").GetInt64());
            seen.AddRange(list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        }
        Assert.Equal(raised.OrderByDescending(r => r.At).Select(r => r.Id), seen);
    }

    [Fact]
    public async Task each_database_has_its_own_chain_and_verify_says_whose()
    {
        await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));
        await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-12"));
        await Given.Raise(Gangqu, await Given.Enterprise(Gangqu), Beijing("2020-02-12"));
        await Given.Settle();

        var main = await Given.Get("/api/audit/verify");
        Assert.True(main.GetProperty("valid").GetBoolean());
        Assert.Equal("Marten", main.GetProperty("database").GetString());
        Assert.Equal([Yinhe, Gangqu], main.GetProperty("offices").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(4, main.GetProperty("eventsChecked").GetInt64());

        var east = await Given.Get("/api/audit/verify?database=east");
        Assert.True(east.GetProperty("valid").GetBoolean());
        Assert.Equal(SplitDistrictFixture.East, east.GetProperty("database").GetString());
        Assert.Equal([Kashi], east.GetProperty("offices").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(2, east.GetProperty("eventsChecked").GetInt64());
        Assert.Equal(east.GetProperty("lastSequence").GetInt64(), east.GetProperty("sealedThrough").GetInt64());

        var digest = await Given.Get("/api/audit/digest?database=East");
        Assert.Equal([Kashi], digest.GetProperty("offices").EnumerateArray().Select(o => o.GetString()));
        await Host.Scenario(x =>
        {
            x.Get.Url("/api/audit/verify?database=west");
            x.WithKey(Keys.Auditor);
            x.StatusCodeShouldBe(400);
        });
    }

    [Fact]
    public async Task the_audit_command_verifies_every_database_and_says_whose_chain_each_is()
    {
        await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));
        await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-12"));

        var output = await ServiceProcess.RunToEnd(Fixture.MainConnectionString, Fixture.ProcessSettings(), TimeSpan.FromMinutes(2), "audit", "verify");

        Assert.Contains("Database Marten (offices yinhe, gangqu): VALID: 2 event(s) checked", output);
        Assert.Contains("Database East (offices kashi): VALID: 2 event(s) checked", output);
    }

    [Fact]
    public async Task each_database_has_its_own_transparency_log_under_its_own_origin()
    {
        await Given.Raise(Kashi, await Given.Enterprise(Kashi), Beijing("2020-02-12"));
        await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-12"));

        var main = await Checkpoint("");
        var east = await Checkpoint("?database=East");
        Assert.Equal("ticketledger/yinhe", main[0]);
        Assert.Equal("ticketledger/yinhe/east", east[0]);
        Assert.Equal("2", main[1]);
        Assert.Equal("2", east[1]);

        async Task<string[]> Checkpoint(string query) =>
            (await Host.Scenario(x => { x.Get.Url("/api/audit/checkpoint" + query); x.WithKey(Keys.Auditor); })).ReadAsText().Split('\n');
    }

    [Fact]
    public async Task a_rebuild_recounts_every_database_and_both_ledgers_keep_moving_after_it()
    {
        foreach (var office in new[] { Yinhe, Kashi }) await Given.Raise(office, await Given.Enterprise(office), Beijing("2020-02-12"));
        await Given.Settle();

        await Host.Scenario(x =>
        {
            x.Post.Url("/api/admin/projections/rebuild");
            x.WithKey(Keys.Admin);
        });
        foreach (var office in new[] { Yinhe, Kashi }) Assert.Equal(1, await Raised(office));

        foreach (var office in new[] { Yinhe, Kashi }) await Given.Raise(office, await Given.Enterprise(office), Beijing("2020-02-13"));
        await Given.Settle();
        foreach (var office in new[] { Yinhe, Kashi }) Assert.Equal(2, await Raised(office));

        async Task<int> Raised(string office) =>
            (await Given.Get("/api/ledger", office: office)).GetProperty("tickets").GetProperty("raised").GetInt32();
    }

    [Fact]
    public async Task ready_names_each_database_and_its_offices()
    {
        var ready = (await Host.Scenario(x => x.Get.Url("/health/ready"))).Json();
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var databases = ready.GetProperty("databases").EnumerateArray()
            .ToDictionary(d => d.GetProperty("database").GetString()!, d => d.GetProperty("offices").EnumerateArray().Select(o => o.GetString()).ToList());
        Assert.Equal([Yinhe, Gangqu], databases["Marten"]);
        Assert.Equal([Kashi], databases[SplitDistrictFixture.East]);
    }

    [Fact]
    public async Task with_one_database_stopped_the_offices_on_the_other_keep_working()
    {
        var kashi = await Given.Enterprise(Kashi);
        Fixture.StopEast();
        try
        {
            await Given.Raise(Yinhe, await Given.Enterprise(Yinhe), Beijing("2020-02-12"));
            await Host.Scenario(x =>
            {
                x.Post.Json(new { subjectId = kashi, category = "supplies", title = "口罩缺货", description = "复工需要口罩", source = "visit" })
                    .ToUrl("/api/tickets");
                x.WithKey(DistrictKeys.KashiStaff);
                x.StatusCodeShouldBe(503);
            });

            var ready = await Host.Scenario(x => { x.Get.Url("/health/ready"); x.StatusCodeShouldBeOk(); });
            var json = ready.Json();
            Assert.Equal("Degraded", json.GetProperty("status").GetString());
            var east = json.GetProperty("databases").EnumerateArray().Single(d => d.GetProperty("database").GetString() == SplitDistrictFixture.East);
            Assert.Equal("Unhealthy", east.GetProperty("status").GetString());
            Assert.Contains("not reachable", east.GetProperty("error").GetString());
            await Given.Get("/api/ledger", office: Yinhe);
        }
        finally
        {
            Fixture.StartEast();
        }
        // Back: a connection pooled before the stop is refused once (a 503 to retry), then kashi records again.
        var back = await Eventually.Until(async () => (await Host.Scenario(x =>
            {
                x.Post.Json(new { subjectId = kashi, category = "supplies", title = "口罩缺货", description = "复工需要口罩", source = "visit" })
                    .ToUrl("/api/tickets");
                x.WithKey(DistrictKeys.KashiStaff);
                x.IgnoreStatusCode();
            })).Context.Response.StatusCode, status => status != 503, TimeSpan.FromSeconds(30), "kashi's database to answer again");
        Assert.Equal(201, back);
    }
}
