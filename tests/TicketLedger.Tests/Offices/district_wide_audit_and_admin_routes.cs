using Alba;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// Routes outside any office that hand out what every office recorded (the transparency log's export, the dead
/// letters) answer only keys that may use every office; a key bound to one office reads its own office's tickets,
/// history and evidence on the office routes instead.
/// </summary>
public sealed class district_wide_audit_and_admin_routes(DistrictFixture fixture) : DistrictTest(fixture)
{
    [Fact]
    public async Task the_log_export_is_for_keys_that_may_use_every_office()
    {
        await new OfficeDesk(Host, new Caller(DistrictKeys.YinheStaff)).Ticket(OfficeDesk.State.Open);
        await Status("/api/audit/checkpoint", DistrictKeys.GangquAuditor, 200);

        var refused = await Status("/api/audit/export", DistrictKeys.GangquAuditor, 403);
        Assert.Contains("every office", refused.ReadAsText());
        await Status("/api/audit/export", Keys.Auditor, 200);
        // Hashes and sizes only: an auditor of one office still checks the whole log.
        await Status("/api/audit/verify", DistrictKeys.GangquAuditor, 200);
        await Status("/api/audit/proof/consistency?from=1&to=1", DistrictKeys.GangquAuditor, 200);
    }

    [Fact]
    public async Task the_dead_letters_are_for_admin_keys_that_may_use_every_office()
    {
        await Status("/api/admin/dead-letters", DistrictKeys.YinheAdmin, 403);
        await Status("/api/admin/dead-letters", Keys.Admin, 200);
        var replay = await Host.Scenario(x =>
        {
            x.Post.Url($"/api/admin/dead-letters/{Guid.NewGuid()}/replay");
            x.WithKey(DistrictKeys.YinheAdmin);
            x.StatusCodeShouldBe(403);
        });
        Assert.Contains("every office", replay.ReadAsText());
    }

    private Task<IScenarioResult> Status(string url, string key, int status) =>
        Host.Scenario(x =>
        {
            x.Get.Url(url);
            x.WithKey(key);
            x.StatusCodeShouldBe(status);
        });
}
