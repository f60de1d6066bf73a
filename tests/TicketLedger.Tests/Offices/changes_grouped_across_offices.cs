using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tickets;
using static TicketLedger.Tests.Offices.OfficeDesk;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// docs/ticket-lifecycle.md, "Group commit": the changes of all offices of one database form one group, each appended
/// under its own office; raises stay grouped per office.
/// </summary>
public sealed class changes_grouped_across_offices(DistrictFixture fixture) : DistrictTest(fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly OfficeDesk _yinhe = new(fixture.Host, new Caller(DistrictKeys.YinheStaff));
    private readonly OfficeDesk _gangqu = new(fixture.Host, new Caller(DistrictKeys.GangquStaff));

    [Fact]
    public async Task changes_of_two_offices_of_one_database_commit_in_one_transaction_each_under_its_own_office()
    {
        var held = await _yinhe.Ticket(State.Open);
        List<Guid> yinhe = [await _yinhe.Ticket(State.Open), await _yinhe.Ticket(State.Open)];
        List<Guid> gangqu = [await _gangqu.Ticket(State.Open), await _gangqu.Ticket(State.Open)];
        var groups = Host.Services.GetRequiredService<TicketGroupCommit>();

        await using var holder = await Host.OpenConnection();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"select 1 from {EventStore.Schema}.mt_streams where id = '{held}' for update", holder))
            await command.ExecuteNonQueryAsync();
        var holding = _yinhe.Command(held, "respond", new { message = "已受理" });
        await using var probe = await Host.OpenConnection();
        await Eventually.Until(() => LockWaits.SessionsBlockedByAsync(probe, holder.ProcessID), n => n == 1, Patience, "a group waiting on the held ticket");
        List<Task> queued =
        [
            .. yinhe.Select(id => _yinhe.Command(id, "assign", new { department = "xmb" })),
            _gangqu.Command(gangqu[0], "assign", new { department = "xmb" }),
            _gangqu.Command(gangqu[1], "escalate", new { bureau = "jfj-gxc", reason = "需要协调" }),
        ];
        await Eventually.Until(() => Task.FromResult(groups.Waiting("yinhe") + groups.Waiting("gangqu")), n => n == 4, Patience,
            "the changes of both offices queued behind it");
        await hold.RollbackAsync();
        await Task.WhenAll([holding, .. queued]);

        var written = await WrittenBy([.. yinhe, .. gangqu]);
        Assert.Single(written.Select(w => w.Transaction).Distinct());
        Assert.All(yinhe, id => Assert.Equal("yinhe", written.Single(w => w.Stream == id).Office));
        Assert.All(gangqu, id => Assert.Equal("gangqu", written.Single(w => w.Stream == id).Office));
        Assert.Equal("assigned", (await _yinhe.Get($"/api/tickets/{yinhe[1]}")).GetProperty("status").GetString());
        Assert.Equal("assigned", (await _gangqu.Get($"/api/tickets/{gangqu[0]}")).GetProperty("status").GetString());
        Assert.Equal("escalated", (await _gangqu.Get($"/api/tickets/{gangqu[1]}")).GetProperty("status").GetString());
        await _yinhe.Post($"/api/tickets/{gangqu[0]}/respond", new { message = "已受理" }, status: 404);
    }

    private async Task<List<(Guid Stream, string Office, string Transaction)>> WrittenBy(Guid[] tickets)
    {
        await using var connection = await Host.OpenConnection();
        await using var command = new NpgsqlCommand(
            $"select stream_id, tenant_id, xmin::text from {EventStore.Schema}.mt_events where stream_id = any(@ids) and version > 1", connection);
        command.Parameters.AddWithValue("ids", tickets);
        var written = new List<(Guid, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) written.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
        return written;
    }
}
