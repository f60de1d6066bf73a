using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MartenCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace TicketLedger.Tests.Ledger;

[Collection(SeededCollection.Name)]
public sealed class the_seeded_ledger(SeededFixture fixture)
{
    private IAlbaHost Host => fixture.Host;

    private async Task<JsonNode> Get(string url)
    {
        var result = await Host.Scenario(x => { x.Get.Url(url); x.WithRequestHeader("X-Api-Key", Keys.Auditor); });
        return JsonNode.Parse(result.ReadAsText())!;
    }

    private async Task<string> Text(string url)
    {
        var result = await Host.Scenario(x => { x.Get.Url(url); x.WithRequestHeader("X-Api-Key", Keys.Auditor); });
        return result.ReadAsText();
    }

    private static async Task<byte[]> Body(IScenarioResult result)
    {
        var bytes = new MemoryStream();
        await result.Context.Response.Body.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    /// <summary>Every figure of the expected ledger is in the actual one, with the same value.</summary>
    private static void AssertContains(JsonNode expected, JsonNode? actual, string path = "ledger")
    {
        if (expected is JsonObject expectedObject)
        {
            Assert.True(actual is JsonObject, $"{path} is missing");
            foreach (var (name, value) in expectedObject) AssertContains(value!, actual![name], $"{path}.{name}");
            return;
        }
        Assert.True(actual is not null, $"{path} is missing");
        var same = expected.GetValueKind() == JsonValueKind.Number
            ? expected.GetValue<decimal>() == actual!.GetValue<decimal>()
            : expected.ToJsonString() == actual!.ToJsonString();
        Assert.True(same, $"{path}: expected {expected.ToJsonString()}, got {actual!.ToJsonString()}");
    }

    private static JsonNode Expected() => JsonNode.Parse(File.ReadAllText(Path.Combine(SeededFixture.SeedsDirectory, "expected-ledger.json")))!;

    [Fact]
    public async Task seeding_reproduces_the_published_ledger_as_of_mid_march()
    {
        AssertContains(Expected(), await Get("/api/ledger?asOf=2020-03-13"));
    }

    [Fact]
    public async Task the_live_ledger_shows_the_same_figures()
    {
        var expected = Expected().AsObject();
        expected.Remove("asOf");
        AssertContains(expected, await Get("/api/ledger"));
    }

    [Fact]
    public async Task nobody_had_resumed_on_13_february_and_the_first_enterprise_on_14_february()
    {
        var before = await Get("/api/ledger?asOf=2020-02-13");
        Assert.Equal(0, before["resumption"]!["subjectsResumed"]!.GetValue<int>());
        Assert.Equal(24, before["resumption"]!["aboveScaleTotal"]!.GetValue<int>());

        var first = await Get("/api/ledger?asOf=2020-02-14");
        Assert.Equal(1, first["resumption"]!["aboveScaleResumed"]!.GetValue<int>());
        Assert.Equal("郑州万达重工股份有限公司", first["resumption"]!["firstResumed"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task seeding_again_adds_nothing()
    {
        var before = await Host.DocumentStore().QuerySession("yinhe").Events.QueryAllRawEvents().CountAsync();
        var data = TicketLedger.Seeding.SeedData.Load(SeededFixture.SeedsDirectory);
        var commands = data.Subjects.Sum(s => 1 + (s.GridStaff is null ? 0 : 1) + (s.Visits?.Count ?? 0) + (s.Resumption?.Count ?? 0) + (s.Funds?.Count ?? 0))
                       + data.Tickets.Sum(t => 1 + t.Steps.Count);
        Assert.Equal(commands, fixture.AddedByFirstRun);

        Assert.Equal(0, await fixture.Seed());
        Assert.Equal(before, await Host.DocumentStore().QuerySession("yinhe").Events.QueryAllRawEvents().CountAsync());
    }

    [Fact]
    public async Task the_chinese_report_reads_as_the_office_writes_it()
    {
        var report = await Text("/api/ledger/report?lang=zh&asOf=2020-03-13");
        Assert.Contains("截至2020年3月13日，累计走访企业74家、建筑工地31个，", report);
        Assert.Contains("已解决问题78个，6个问题正在全力解决中", report);
        Assert.Contains("规上企业复工24家（共24家），复工率100%", report);
        Assert.Contains("首家复工企业为郑州万达重工股份有限公司（2020年2月14日）", report);
        Assert.Contains("48万元", report);
    }

    [Fact]
    public async Task the_english_report_gives_the_same_figures()
    {
        var report = await Text("/api/ledger/report?lang=en&asOf=2020-03-13");
        Assert.Contains("visited 74 enterprises and 31 construction sites", report);
        Assert.Contains("78 resolved, 6 still being worked on", report);
        Assert.Contains("6,612 workers", report);
    }

    [Fact]
    public async Task the_csv_ledger_has_a_bom_a_header_and_84_rows()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/ledger/tickets.csv"); x.WithRequestHeader("X-Api-Key", Keys.Staff); });
        var bytes = await Body(result);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("编号,服务对象,问题类别,提出时间,责任部门,上报部门,状态,回复时间,解决时间,解决情况", lines[0]);
        Assert.Equal(84, lines.Length - 1);
        Assert.StartsWith("2020-0001,", lines[1]);
    }

    [Fact]
    public async Task the_xlsx_ledger_is_a_workbook()
    {
        var result = await Host.Scenario(x => { x.Get.Url("/api/ledger/tickets.xlsx"); x.WithRequestHeader("X-Api-Key", Keys.Staff); });
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", result.Context.Response.ContentType);
        var body = await Body(result);
        Assert.True(body.Length > 5000);
        Assert.Equal("PK"u8.ToArray(), body[..2]);
    }

    [Fact]
    public async Task rebuilding_every_projection_yields_the_same_ledger_and_ticket_reads()
    {
        var ledger = await Get("/api/ledger?asOf=2020-03-13");
        var tickets = await Get("/api/tickets?pageSize=200");
        var subjects = await Get("/api/subjects?pageSize=200");

        var result = await Host.Scenario(x =>
        {
            x.Post.Url("/api/admin/projections/rebuild");
            x.WithRequestHeader("X-Api-Key", Keys.Admin);
        });
        var rebuilt = JsonNode.Parse(result.ReadAsText())!["projections"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("Ledger", rebuilt);
        Assert.True(rebuilt.Count >= 3, string.Join(", ", rebuilt));

        Assert.Equal(Comparable(ledger), Comparable(await Get("/api/ledger?asOf=2020-03-13")));
        Assert.Equal(tickets.ToJsonString(), (await Get("/api/tickets?pageSize=200")).ToJsonString());
        Assert.Equal(subjects.ToJsonString(), (await Get("/api/subjects?pageSize=200")).ToJsonString());
    }

    /// <summary>The figures without their provenance: the chain may have sealed further in between.</summary>
    private static string Comparable(JsonNode ledger)
    {
        var copy = ledger.DeepClone().AsObject();
        copy.Remove("provenance");
        return copy.ToJsonString();
    }

    [Fact]
    public async Task the_ledger_names_the_events_and_chain_hash_it_was_computed_from()
    {
        await Host.Services.GetRequiredService<TicketLedger.Audit.AuditChains>().Default.SealAsync();
        var provenance = (await Get("/api/ledger"))["provenance"]!;
        var lastSequence = provenance["lastSequence"]!.GetValue<long>();
        var chainSequence = provenance["chainSequence"]!.GetValue<long>();

        var latest = await Host.DocumentStore().QuerySession("yinhe").Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).FirstAsync();
        Assert.InRange(lastSequence, 800, latest.Sequence);
        Assert.InRange(chainSequence, 1, lastSequence);
        Assert.Matches("^[0-9a-f]{64}$", provenance["chainHash"]!.GetValue<string>());
        var verified = await Get($"/api/audit/verify?against={chainSequence}:{provenance["chainHash"]!.GetValue<string>()}");
        Assert.True(verified["valid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task a_tickets_history_carries_each_events_chain_hash_in_json_and_csv()
    {
        var first = (await Get("/api/tickets?pageSize=1"))["items"]![0]!["id"]!.GetValue<string>();
        var history = await Get($"/api/tickets/{first}/history");
        var events = history["events"]!.AsArray();
        Assert.All(events, e => Assert.Matches("^[0-9a-f]{64}$", e!["hash"]!.GetValue<string>()));

        var csv = await Text($"/api/tickets/{first}/history.csv");
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,version,type,recordedAt,occurredAt,actor,correlationId,causationId,hash,data", lines[0]);
        Assert.Equal(events.Count, lines.Length - 1);
        Assert.Contains(events[0]!["hash"]!.GetValue<string>(), lines[1]);
    }
}
