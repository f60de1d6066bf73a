using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Marten;
using Marten.Events;
using Marten.Storage;
using Npgsql;
using TicketLedger.Tests.Audit;
using TicketLedger.Transparency;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// A database written by the last single-office build keeps working after the upgrade: its data belongs to
/// `Ledger:Office`, its chain verifies, its transparency log grows from the checkpoint signed before, its ledger is
/// unchanged, and moving one of its events to another office is still tampering (docs/offices.md, "Upgrading").
/// </summary>
[Collection(UpgradedSingleOfficeCollection.Name)]
public sealed class upgrading_a_single_office_store(UpgradedSingleOfficeFixture fixture)
{
    private IAlbaHost Host => fixture.Host;

    private static readonly JsonElement SavedTicket = JsonDocument.Parse(File.ReadAllText(SingleOfficeFixture.Ticket)).RootElement;
    private static Guid TicketId => SavedTicket.GetProperty("id").GetGuid();

    [Theory]
    [InlineData(SingleOfficeFixture.SeedEnd)]
    [InlineData(SingleOfficeFixture.AsOf)]
    public async Task the_ledger_reads_as_it_did_before_the_upgrade(string asOf)
    {
        var saved = SingleOfficeFixture.LedgerFigures(await File.ReadAllTextAsync(asOf == SingleOfficeFixture.SeedEnd ? SingleOfficeFixture.LedgerAtSeedEnd : SingleOfficeFixture.LedgerAsOf));
        var now = SingleOfficeFixture.LedgerFigures(await GetAsync($"/api/ledger?asOf={asOf}", Keys.Staff));
        Assert.True(JsonNode.DeepEquals(saved, now), $"before: {saved}\nafter: {now}");
    }

    [Fact]
    public async Task the_data_now_belongs_to_the_office_and_the_move_is_on_record()
    {
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from ticketledger.mt_events where tenant_id = '*DEFAULT*'"));
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from ticketledger.mt_streams where tenant_id = '*DEFAULT*'"));
        Assert.Equal("*DEFAULT* -> yinhe up to 837",
            await ScalarAsync<string>("select from_tenant || ' -> ' || to_tenant || ' up to ' || up_to_seq from ticketledger.tl_office_rekey"));

        await using (var session = Host.DocumentStore().QuerySession("yinhe"))
            Assert.Equal(835, await session.Query<TicketLedger.Seeding.SeedProgress>().CountAsync());

        var ticket = JsonDocument.Parse(await GetAsync($"/api/tickets/{TicketId}", Keys.Staff)).RootElement;
        Assert.Equal(SavedTicket.GetProperty("number").GetString(), ticket.GetProperty("number").GetString());
        Assert.Equal(SavedTicket.GetProperty("raisedAt").GetString(), ticket.GetProperty("raisedAt").GetString());
    }

    [Fact]
    public async Task the_chain_verifies_and_moving_an_old_event_to_another_office_is_tampering()
    {
        Assert.True(await VerifiedAsync());
        var raisedSequence = await ScalarAsync<long>($"select seq_id from ticketledger.mt_events where stream_id = '{TicketId}' and version = 1");

        foreach (var office in new[] { "gangqu", "*DEFAULT*" })
        {
            await MoveTicketAsync(office);
            try
            {
                var result = JsonDocument.Parse(await GetAsync("/api/audit/verify", Keys.Auditor)).RootElement;
                Assert.False(result.GetProperty("valid").GetBoolean(), $"moved to {office}");
                Assert.Equal(raisedSequence, result.GetProperty("firstBrokenSequence").GetInt64());
            }
            finally
            {
                await MoveTicketAsync("yinhe");
            }
        }
        Assert.True(await VerifiedAsync());
    }

    [Fact]
    public async Task the_log_grows_consistently_from_the_checkpoint_signed_before_the_upgrade()
    {
        Assert.True(NoteVerifier.TryParseVerifierKey((await File.ReadAllTextAsync(SingleOfficeFixture.VerifierKey)).Trim(), out var key));
        var before = ParseSigned(await File.ReadAllTextAsync(SingleOfficeFixture.Checkpoint), key);

        await RaiseAsync();
        var after = ParseSigned(await GetAsync("/api/audit/checkpoint", Keys.Auditor), key);
        Assert.True(after.Size > before.Size);

        var proof = JsonDocument.Parse(await GetAsync($"/api/audit/proof/consistency?from={before.Size}&to={after.Size}", Keys.Auditor)).RootElement;
        var path = proof.GetProperty("path").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();
        Assert.True(Merkle.VerifyConsistency(before.Size, after.Size, before.Root, after.Root, path));
    }

    [Fact]
    public async Task a_tickets_evidence_carries_the_leaves_logged_before_the_upgrade()
    {
        var saved = JsonDocument.Parse(await File.ReadAllTextAsync(SingleOfficeFixture.TicketEvidence)).RootElement;
        var now = JsonDocument.Parse(await GetAsync($"/api/tickets/{TicketId}/evidence", Keys.Auditor)).RootElement;
        var leaves = now.GetProperty("events").EnumerateArray().ToDictionary(e => e.GetProperty("index").GetInt64(), e => e.GetProperty("leaf").GetString());
        foreach (var e in saved.GetProperty("events").EnumerateArray())
            Assert.Equal(e.GetProperty("leaf").GetString(), leaves[e.GetProperty("index").GetInt64()]);
    }

    [Fact]
    public async Task the_offline_verifier_counts_a_reopened_old_ticket_once_for_its_office()
    {
        await Host.Scenario(x =>
        {
            x.Post.Json(new { reason = "升级后复查未解决" }).ToUrl($"/api/tickets/{TicketId}/reopen");
            x.WithKey(Keys.Staff);
            x.WithRequestHeader("Idempotency-Key", "upgrade-reopen");
            x.StatusCodeShouldBe(204);
        });
        var folder = Verifier.NewFolder();
        var key = await Host.SaveAsync(folder, "public-key.json", "/api/audit/public-key");
        var checkpoint = await Host.SaveAsync(folder, "checkpoint.txt", "/api/audit/checkpoint");
        var export = await Host.SaveAsync(folder, "export.jsonl", "/api/audit/export");
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var ledger = JsonDocument.Parse(await GetAsync("/api/ledger", Keys.Staff)).RootElement.GetProperty("tickets");

        var (exit, output) = await Verifier.RunAsync("export", "--key", key, checkpoint, export);

        Assert.True(exit == 0, output);
        Assert.Contains($"office yinhe: tickets raised {ledger.GetProperty("raised")}, resolved {ledger.GetProperty("resolved")}, " +
                        $"pending {ledger.GetProperty("pending")}", output);
        Assert.DoesNotContain("office *DEFAULT*", output);
    }

    [Fact]
    public async Task raising_after_the_upgrade_continues_the_offices_numbering()
    {
        var result = await RaiseAsync();
        Assert.Equal("2020-0085", result.GetProperty("number").GetString());
    }

    /// <summary>The ticket's stream and its events into another office, in one statement so their key still holds.</summary>
    private Task MoveTicketAsync(string office) => ExecuteAsync($"""
        with stream as (update ticketledger.mt_streams set tenant_id = '{office}' where id = '{TicketId}' returning id)
        update ticketledger.mt_events set tenant_id = '{office}' where stream_id in (select id from stream)
        """);

    private async Task<JsonElement> RaiseAsync()
    {
        var result = await Host.Scenario(x =>
        {
            x.Post.Json(new
            {
                subjectId = SavedTicket.GetProperty("subjectId").GetGuid(), category = "supplies", title = "升级后的问题",
                description = "升级后登记", source = "visit", occurredAt = "2020-03-14T10:00:00+08:00",
            }).ToUrl("/api/tickets");
            x.WithKey(Keys.Staff);
            x.WithRequestHeader("Idempotency-Key", "upgrade-raise");
            x.StatusCodeShouldBe(201);
        });
        return result.Json();
    }

    private static Checkpoint ParseSigned(string text, NoteVerifier key)
    {
        Assert.True(SignedNote.TryParse(text, out var note));
        Assert.True(key.Signed(note));
        Assert.True(Checkpoint.TryParse(note.Body, out var checkpoint));
        return checkpoint;
    }

    private async Task<bool> VerifiedAsync() =>
        JsonDocument.Parse(await GetAsync("/api/audit/verify", Keys.Auditor)).RootElement.GetProperty("valid").GetBoolean();

    private async Task<string> GetAsync(string url, string key)
    {
        var result = await Host.Scenario(x =>
        {
            x.Get.Url(url);
            x.WithKey(key);
        });
        return result.ReadAsText();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = Host.DocumentStore().Storage.Database.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync();
        return connection;
    }
}
