using Alba;
using TicketLedger.Tests.Subjects;
using TicketLedger.Tests.Tickets;

namespace TicketLedger.Tests.Hosting;

/// <summary>Business times and dates lie between Validation:EarliestBusinessDate (2000-01-01) and now, on every command.</summary>
public sealed class business_time(ApiFixture fixture) : ApiTest(fixture)
{
    [Theory]
    [InlineData("0001-01-01T00:00:00+00:00")]
    [InlineData("1999-12-31T23:59:59+08:00")]
    public async Task a_ticket_raised_before_2000_is_400(string occurredAt)
    {
        var subject = await Host.GivenSubject();
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(TicketScenarios.RaiseBody(subject, DateTimeOffset.Parse(occurredAt))).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.StatusCodeShouldBe(400);
        });
        Assert.Contains("2000-01-01", result.Errors().GetProperty("occurredAt")[0].GetString());
    }

    [Fact]
    public async Task the_first_moment_of_2000_in_the_office_is_accepted()
    {
        var (_, number) = await Host.GivenTicket(occurredAt: DateTimeOffset.Parse("2000-01-01T00:00:00+08:00"));
        Assert.StartsWith("2000-", number);
    }

    [Theory]
    [InlineData("visits", "visitedOn")]
    [InlineData("resumption", "resumedOn")]
    [InlineData("funds", "disbursedOn")]
    public async Task a_calendar_date_before_2000_is_400(string action, string field)
    {
        var id = await Host.Register(SubjectScenarios.Enterprise());
        var body = new Dictionary<string, object>
        {
            [field] = "0001-01-01", ["staff"] = "张三", ["headcount"] = 10, ["workersReturned"] = 5, ["capacityPercent"] = 50,
            ["batch"] = "第一批", ["amountYuan"] = 1000,
        };
        var result = await Host.PostCommand(id, action, body, status: 400);
        Assert.True(result.Errors().TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task an_occurred_at_before_2000_on_a_lifecycle_command_is_400()
    {
        var (id, _) = await Host.GivenTicket();
        var result = await Host.Command(id, "assign", new { department = "xmb", occurredAt = "0001-01-01T00:00:00Z" }, status: 400);
        Assert.True(result.Json().GetProperty("errors").TryGetProperty("occurredAt", out _));
    }
}
