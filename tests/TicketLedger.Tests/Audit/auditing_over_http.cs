using System.Text.Json;
using Alba;
using TicketLedger.Audit;

namespace TicketLedger.Tests.Audit;

public sealed class auditing_over_http(AuditFixture fixture) : AuditTest(fixture)
{
    [Fact]
    public async Task an_auditor_records_the_digest_and_verifies_against_it()
    {
        await AppendStoryAsync();

        var digest = await Host.Scenario(x => { x.Get.Url("/api/audit/digest"); x.WithRequestHeader("X-Api-Key", Keys.Auditor); });
        using var head = JsonDocument.Parse(digest.ReadAsText());
        Assert.Equal(8, head.RootElement.GetProperty("sequence").GetInt64());
        Assert.Equal(64, head.RootElement.GetProperty("hash").GetString()!.Length);
        Assert.True(head.RootElement.TryGetProperty("at", out _));

        var verify = await Host.Scenario(x =>
        {
            x.Get.Url($"/api/audit/verify?against={head.RootElement.GetProperty("anchor").GetString()}");
            x.WithRequestHeader("X-Api-Key", Keys.Auditor);
        });
        using var result = JsonDocument.Parse(verify.ReadAsText());
        Assert.True(result.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(8, result.RootElement.GetProperty("eventsChecked").GetInt64());
        Assert.Equal(8, result.RootElement.GetProperty("lastSequence").GetInt64());
        Assert.Equal(JsonValueKind.Null, result.RootElement.GetProperty("firstBrokenSequence").ValueKind);
    }

    [Fact]
    public async Task a_broken_chain_is_reported_in_the_answer_not_as_an_error()
    {
        await AppendStoryAsync();
        await Chain.SealAsync();
        await SqlAsync("update ticketledger.mt_events set correlation_id = 'forged' where seq_id = 3");

        var verify = await Host.Scenario(x => { x.Get.Url("/api/audit/verify"); x.WithRequestHeader("X-Api-Key", Keys.Admin); });

        var result = verify.ReadAsJson<ChainVerification>()!;
        Assert.Equal((false, 3L), (result.Valid, result.FirstBrokenSequence));
        Assert.NotNull(result.Reason);
    }

    [Fact]
    public async Task a_malformed_anchor_is_a_validation_problem()
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url("/api/audit/verify?against=12:nothex");
            x.WithRequestHeader("X-Api-Key", Keys.Auditor);
            x.StatusCodeShouldBe(400);
            x.ContentTypeShouldBe("application/problem+json");
        });
        using var problem = JsonDocument.Parse(result.ReadAsText());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("against", out _));
    }

    [Fact]
    public async Task an_empty_store_has_no_digest_yet()
    {
        await Host.Scenario(x => { x.Get.Url("/api/audit/digest"); x.WithRequestHeader("X-Api-Key", Keys.Auditor); x.StatusCodeShouldBe(404); });
    }

    [Theory]
    [InlineData("/api/audit/verify")]
    [InlineData("/api/audit/digest")]
    public async Task staff_may_not_audit(string url)
    {
        await Host.Scenario(x => { x.Get.Url(url); x.WithRequestHeader("X-Api-Key", Keys.Staff); x.StatusCodeShouldBe(403); });
    }
}
