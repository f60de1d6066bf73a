using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;

namespace TicketLedger.Tests.Ledger;

/// <summary>The daily and weekly series behind the dashboard's charts, read from the seeded ledger.</summary>
[Collection(SeededCollection.Name)]
public sealed class the_ledger_trend(SeededFixture fixture)
{
    private const string ReportDate = "2020-03-13";

    private async Task<JsonNode> Get(string url)
    {
        var result = await fixture.Host.Scenario(x => { x.Get.Url(url); x.WithRequestHeader("X-Api-Key", Keys.Auditor); });
        return JsonNode.Parse(result.ReadAsText())!;
    }

    private static int Int(JsonNode? node) => node!.GetValue<int>();

    [Theory]
    [InlineData(ReportDate)]
    [InlineData("2020-02-20")]
    public async Task the_last_day_of_the_trend_is_the_ledger_of_its_date(string date)
    {
        var trend = await Get("/api/ledger/trend?asOf=" + date);
        var tickets = (await Get("/api/ledger?asOf=" + date))["tickets"]!;

        var days = trend["days"]!.AsArray();
        Assert.NotEmpty(days);
        Assert.All(days, d => Assert.True(string.CompareOrdinal(d!["date"]!.GetValue<string>(), date) <= 0));
        var last = days[^1]!;
        Assert.Equal(
            (Int(tickets["raised"]), Int(tickets["resolved"]), Int(tickets["pending"]), Int(tickets["overdue"])),
            (Int(last["raised"]), Int(last["resolved"]), Int(last["pending"]), Int(last["overdue"])));
        Assert.Equal(Int(tickets["raised"]), days.Sum(d => Int(d!["raisedThatDay"])));
    }

    [Fact]
    public async Task the_days_are_in_order_and_each_adds_its_own_changes()
    {
        var days = (await Get("/api/ledger/trend?asOf=" + ReportDate))["days"]!.AsArray();
        for (var i = 1; i < days.Count; i++)
        {
            Assert.True(string.CompareOrdinal(days[i - 1]!["date"]!.GetValue<string>(), days[i]!["date"]!.GetValue<string>()) < 0);
            Assert.Equal(Int(days[i - 1]!["raised"]) + Int(days[i]!["raisedThatDay"]), Int(days[i]!["raised"]));
            Assert.Equal(Int(days[i - 1]!["resolved"]) + Int(days[i]!["resolvedThatDay"]), Int(days[i]!["resolved"]));
        }
    }

    [Fact]
    public async Task the_weeks_add_up_to_the_ledger_and_their_rates_to_their_counts()
    {
        var weeks = (await Get("/api/ledger/trend?asOf=" + ReportDate))["weeks"]!.AsArray();
        var tickets = (await Get("/api/ledger?asOf=" + ReportDate))["tickets"]!;

        Assert.Equal(Int(tickets["raised"]), weeks.Sum(w => Int(w!["raised"])));
        Assert.Equal(Int(tickets["respondedOnTime"]), weeks.Sum(w => Int(w!["respondedOnTime"])));
        Assert.All(weeks, w =>
        {
            Assert.Equal(DayOfWeek.Monday, DateOnly.Parse(w!["weekOf"]!.GetValue<string>()).DayOfWeek);
            Assert.Equal(Math.Round((decimal)Int(w["respondedOnTime"]) / Int(w["raised"]), 4), w["responseRate"]!.GetValue<decimal>());
        });
    }

    [Fact]
    public async Task known_at_an_instant_before_the_seeding_the_trend_is_empty_and_known_now_it_is_the_live_one()
    {
        var before = await Get("/api/ledger/trend?asOf=" + ReportDate + "&knownAt=2020-03-13T18:00:00%2B08:00");
        Assert.Empty(before["days"]!.AsArray());
        Assert.Empty(before["weeks"]!.AsArray());

        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        var knownNow = await Get($"/api/ledger/trend?asOf={ReportDate}&knownAt={now}");
        var live = await Get("/api/ledger/trend?asOf=" + ReportDate);
        Assert.Equal(live["days"]!.ToJsonString(), knownNow["days"]!.ToJsonString());
        Assert.Equal(live["weeks"]!.ToJsonString(), knownNow["weeks"]!.ToJsonString());
    }

    [Fact]
    public async Task a_malformed_date_is_a_400_naming_the_field()
    {
        var result = await fixture.Host.Scenario(x =>
        {
            x.Get.Url("/api/ledger/trend?asOf=13.03.2020");
            x.WithRequestHeader("X-Api-Key", Keys.Auditor);
            x.StatusCodeShouldBe(400);
        });
        Assert.True(JsonDocument.Parse(result.ReadAsText()).RootElement.GetProperty("errors").TryGetProperty("asOf", out _));
    }
}
