using Alba;
using Npgsql;
using TicketLedger.Hosting;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Offices;

/// <summary>Ticket numbers count per office and year (docs/ticket-lifecycle.md, "Numbers"), on a counter row of each office's own.</summary>
public sealed class numbers_per_office(DistrictFixture fixture) : DistrictTest(fixture)
{
    private const int Year = 2019;
    private static readonly DateTimeOffset InYear = DateTimeOffset.Parse("2019-06-01T10:00:00+08:00");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly OfficeDesk _yinhe = new(fixture.Host, new Caller(DistrictKeys.YinheStaff));
    private readonly OfficeDesk _gangqu = new(fixture.Host, new Caller(DistrictKeys.GangquStaff));
    private readonly OfficeDesk _kashi = new(fixture.Host, new Caller(DistrictKeys.KashiStaff));

    [Fact]
    public async Task every_office_starts_the_year_at_0001()
    {
        var (yinhe, gangqu, kashi) = (await _yinhe.Enterprise(), await _gangqu.Enterprise(), await _kashi.Enterprise());

        Assert.Equal("2019-0001", await Raise(_yinhe, yinhe));
        Assert.Equal("2019-0001", await Raise(_gangqu, gangqu));
        Assert.Equal("2019-0001", await Raise(_kashi, kashi));
        Assert.Equal("2019-0002", await Raise(_yinhe, yinhe));
        Assert.Equal("2019-0002", await Raise(_gangqu, gangqu));
    }

    [Fact]
    public async Task a_raise_does_not_wait_for_another_office_raising_at_the_same_time()
    {
        var (yinheSubject, gangquSubject) = (await _yinhe.Enterprise(), await _gangqu.Enterprise());
        await Raise(_yinhe, yinheSubject);
        await Raise(_gangqu, gangquSubject);

        // A raise in yinhe holding its counter row: its transaction has not committed yet.
        await using var hold = await Host.OpenConnection();
        await using var transaction = await hold.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand(
            $"select last from {EventStore.Schema}.{TicketNumbers.TableName} where office = 'yinhe' and year = {Year} for update", hold, transaction))
            await lockRow.ExecuteNonQueryAsync();

        Assert.Equal("2019-0002", await Raise(_gangqu, gangquSubject).WaitAsync(Patience));

        var yinheRaise = Raise(_yinhe, yinheSubject);
        await Eventually.Until(() => RaisesWaitingFor(hold.ProcessID), waiting => waiting == 1, Patience, "yinhe's raise to queue behind its own counter row");
        await transaction.RollbackAsync();
        Assert.Equal("2019-0002", await yinheRaise.WaitAsync(Patience));
    }

    private static async Task<string> Raise(OfficeDesk desk, Guid subject) => (await desk.Raise(subject, raisedAt: InYear)).Number;

    private async Task<long> RaisesWaitingFor(int holder)
    {
        await using var connection = await Host.OpenConnection();
        return await LockWaits.SessionsBlockedByAsync(connection, holder);
    }
}
