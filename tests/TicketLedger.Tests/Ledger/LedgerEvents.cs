using Alba;
using Marten;
using Marten.Events;
using TicketLedger.Ledger;
using TicketLedger.Subjects;
using TicketLedger.Tickets;

namespace TicketLedger.Tests.Ledger;

/// <summary>Appends domain events straight to the store and waits for the ledger projection to catch up.</summary>
public sealed class LedgerEvents(IAlbaHost host)
{
    private bool _appended;

    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public static DateTimeOffset At(string date, int hour = 10) =>
        new(DateOnly.Parse(date).ToDateTime(new TimeOnly(hour, 0)), Shanghai);

    public async Task Append(Guid stream, params object[] events)
    {
        await using var session = host.DocumentStore().LightweightSession("yinhe");
        session.Events.Append(stream, events);
        await session.SaveChangesAsync();
        _appended = true;
    }

    public async Task<Guid> Enterprise(EnterpriseScale scale, string registeredOn = "2020-02-10", string name = "郑州万达重工股份有限公司")
    {
        var id = Guid.NewGuid();
        await Append(id, new SubjectRegistered(id, "yinhe", SubjectKind.Enterprise, name, null, scale, KeyProjectLevel.None, null, null, At(registeredOn)));
        return id;
    }

    public async Task<Guid> Site(KeyProjectLevel level, string registeredOn = "2020-02-10")
    {
        var id = Guid.NewGuid();
        await Append(id, new SubjectRegistered(id, "yinhe", SubjectKind.Site, "工地", null, null, level, null, null, At(registeredOn)));
        return id;
    }

    public Task Visit(Guid subject, string on) =>
        Append(subject, new SubjectVisited(subject, DateOnly.Parse(on), "张三", null, At(on)));

    public Task Resume(Guid subject, string on, int headcount, int workers) =>
        Append(subject, new ResumptionReported(subject, DateOnly.Parse(on), headcount, workers, 80, At(on)));

    public async Task<Guid> Ticket(Guid subject, string raisedOn, string category = "labour", int number = 1)
    {
        var id = Guid.NewGuid();
        var raisedAt = At(raisedOn);
        var dueBy = new DateTimeOffset(DateOnly.Parse(raisedOn).AddDays(1).ToDateTime(TimeOnly.MinValue), Shanghai);
        await Append(id, new TicketRaised(id, "yinhe", $"2020-{number:0000}", subject, category, "缺工", "缺少工人", TicketSource.Visit, raisedAt, dueBy));
        return id;
    }

    public async Task<LedgerFigures> Ledger(string query = "")
    {
        // Marten's wait gives up when there was never any event to wait for.
        if (_appended) await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var result = await host.Scenario(x =>
        {
            x.Get.Url("/api/ledger" + query);
            x.WithRequestHeader("X-Api-Key", Keys.Auditor);
        });
        return (await result.ReadAsJsonAsync<LedgerFigures>())!;
    }
}
