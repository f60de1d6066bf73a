using System.Diagnostics;
using JasperFx;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using Marten;
using Marten.Storage;
using Npgsql;
using TicketLedger.Subjects;
using TicketLedger.Tickets;
using Weasel.Core;

namespace TicketLedger.Benchmarks;

/// <summary>
/// Loads the product's own events straight into its event store (schema created by the service's first start), many
/// sessions appending in parallel. The areas' own registrations (AddSubjects, AddTickets) run here, so their inline
/// views are written in the appending transactions exactly as commands write them; the async ledger is left to the
/// service's daemon, whose catch-up is then measured. Given several offices, subjects and tickets are dealt out to
/// them in turn: each session appends to one office's tenant, and every office numbers its tickets from 2020-0001.
/// The store settings mirror Hosting/EventStore.cs (schema, Guid streams, metadata columns, camelCase JSON, conjoined
/// tenancy with the office code as tenant id): keep them in step.
/// </summary>
public static class ScaleLoader
{
    public const string Office = "yinhe";
    private const int StreamsPerSession = 100;
    private static readonly string[] Categories = ["supplies", "labour", "logistics", "materials", "funding", "policy", "other"];
    private static readonly string[] Departments = ["xmb", "hbb", "djb", "jfb"];
    private static readonly string[] Bureaus = ["rsj", "zjj", "scjgj"];
    private static readonly DateTimeOffset FirstDay = new(2020, 2, 1, 0, 0, 0, TimeSpan.FromHours(8));
    private const int Days = 180;

    /// <summary>
    /// Events appended per event requested: a ticket per 5 requested, averaging 4.1 events over its six shapes, and a
    /// subject per 50, with 6.5 events; so asking for a million appends 950,000.
    /// </summary>
    public const double EventsPerRequested = 0.95;

    public sealed record Loaded(long Events, int Tickets, int Subjects, TimeSpan Took);

    public static async Task<Loaded> LoadAsync(string connectionString, int targetEvents, IReadOnlyList<string>? offices = null)
    {
        offices ??= [Office];
        var tickets = Math.Max(100, targetEvents / 5);
        // A whole number of subjects per office, so ticket i and its subject i % subjects fall to the same office i % n.
        var subjects = (Math.Max(10, targetEvents / 50) + offices.Count - 1) / offices.Count * offices.Count;
        await using var store = DocumentStore.For(opts =>
        {
            opts.Connection(connectionString);
            opts.DatabaseSchemaName = "ticketledger";
            opts.AutoCreateSchemaObjects = AutoCreate.None;
            opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
            opts.Events.StreamIdentity = StreamIdentity.AsGuid;
            opts.Events.MetadataConfig.CorrelationIdEnabled = true;
            opts.Events.MetadataConfig.CausationIdEnabled = true;
            opts.Events.MetadataConfig.UserNameEnabled = true;
            opts.Events.MetadataConfig.HeadersEnabled = true;
            opts.Events.TenancyStyle = TenancyStyle.Conjoined;
            opts.Policies.AllDocumentsAreMultiTenanted();
            opts.TenantIdStyle = TenantIdStyle.ForceLowerCase;
            opts.AddSubjects();
            opts.AddTickets();
        });

        var subjectIds = Enumerable.Range(0, subjects).Select(_ => Guid.CreateVersion7()).ToArray();
        // Subjects first, then tickets; within each, the offices take turns so they fill up side by side.
        var batches = Batches('s', subjects, offices.Count).Concat(Batches('t', tickets, offices.Count)).ToList();

        long appended = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, ct) =>
        {
            var office = offices[batch.Office];
            await using var session = store.LightweightSession(office);
            session.CorrelationId = "bench-scale-load";
            session.LastModifiedBy = "bench-loader";
            var count = 0;
            foreach (var i in batch.Items)
            {
                object[] events;
                var k = i / offices.Count;
                if (batch.Kind == 's') session.Events.StartStream<Subject>(subjectIds[i], events = SubjectLife(subjectIds[i], i, k, subjects, office));
                else
                {
                    var id = Guid.CreateVersion7();
                    session.Events.StartStream<Ticket>(id, events = TicketLife(id, i, k, tickets, subjectIds[i % subjects], office));
                }
                count += events.Length;
            }
            await session.SaveChangesAsync(ct);
            var total = Interlocked.Add(ref appended, count);
            if (total / 100_000 != (total - count) / 100_000) Console.WriteLine($"    {total,9:N0} events  {total / clock.Elapsed.TotalSeconds,7:N0}/s");
        });

        // Numbers continue after the loaded ones, as if the service had numbered them (the table is the tickets area's).
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            var rows = string.Join(", ", offices.Select((code, k) => $"('{code}', 2020, {(tickets - k + offices.Count - 1) / offices.Count})"));
            await using var numbers = new NpgsqlCommand($"""
                do $$ begin
                  if to_regclass('ticketledger.ticket_numbers') is not null then
                    insert into ticketledger.ticket_numbers (office, year, last) values {rows}
                    on conflict (office, year) do update set last = excluded.last;
                  end if;
                end $$
                """, connection);
            await numbers.ExecuteNonQueryAsync();
        }
        return new Loaded(appended, tickets, subjects, clock.Elapsed);
    }

    /// <summary>Sessions of up to 100 streams, each of one office (stream i belongs to office i % offices).</summary>
    private static IEnumerable<(char Kind, int Office, int[] Items)> Batches(char kind, int count, int offices) =>
        Enumerable.Range(0, offices)
            .SelectMany(office => Enumerable.Range(0, (count - office + offices - 1) / offices)
                .Select(n => office + n * offices)
                .Chunk(StreamsPerSession)
                .Select((items, chunk) => (Chunk: chunk, Office: office, Items: items)))
            .OrderBy(b => b.Chunk).ThenBy(b => b.Office)
            .Select(b => (kind, b.Office, b.Items));

    /// <summary>
    /// Subject i (its name, credit code and date) is an office's k-th: the mix of kinds and figures follows k, so every
    /// office gets the same mix as a single office would.
    /// </summary>
    private static object[] SubjectLife(Guid id, int i, int k, int subjects, string office)
    {
        var at = FirstDay.AddMinutes(i * (Days * 24.0 * 60 / 3 / subjects));
        var enterprise = k % 3 != 0;
        var events = new List<object>
        {
            new SubjectRegistered(id, office, enterprise ? SubjectKind.Enterprise : SubjectKind.Site, $"基准对象 {i:D6}",
                enterprise ? $"91330100{i:D9}X" : null, enterprise ? (k % 5 == 0 ? EnterpriseScale.Above : EnterpriseScale.Below) : null,
                enterprise ? KeyProjectLevel.None : (KeyProjectLevel)(k % 4), "银河路 1 号", new Contact("王工", "13800000000"), at),
            new GridStaffAssigned(id, $"网格员{k % 40:D2}", at.AddHours(1)),
        };
        for (var v = 0; v < 3; v++)
        {
            var visitedAt = at.AddDays(3 + v * 7);
            events.Add(new SubjectVisited(id, DateOnly.FromDateTime(visitedAt.Date), $"网格员{k % 40:D2}", "走访了解复工情况", visitedAt));
        }
        var resumedAt = at.AddDays(10);
        events.Add(new ResumptionReported(id, DateOnly.FromDateTime(resumedAt.Date), 100, 80 + k % 20, 70 + k % 30, resumedAt));
        if (k % 2 == 0) events.Add(new FundDisbursed(id, "第一批", 10_000, DateOnly.FromDateTime(resumedAt.AddDays(5).Date), resumedAt.AddDays(5)));
        return events.ToArray();
    }

    /// <summary>
    /// A tenth stay open; three tenths are being worked on (assigned, escalated, reopened); six tenths are resolved.
    /// Ticket i is raised at its place in the run and is its office's k-th: numbered k + 1, its shape following k.
    /// </summary>
    private static object[] TicketLife(Guid id, int i, int k, int tickets, Guid subject, string office)
    {
        var raised = FirstDay.AddMinutes(i * (Days * 24.0 * 60 / tickets));
        var dueBy = new DateTimeOffset(raised.Date.AddDays(1), TimeSpan.FromHours(8)).AddTicks(-1);
        var events = new List<object>
        {
            new TicketRaised(id, office, $"2020-{k + 1:D4}", subject, Categories[k % Categories.Length], "原材料运输受阻",
                "外省原材料车辆无法进入园区，需协调通行证。", (TicketSource)(k % 5), raised.ToUniversalTime(), dueBy.ToUniversalTime()),
        };
        var shape = k % 10;
        if (shape == 0) return events.ToArray();
        events.Add(new TicketAssigned(id, Departments[k % Departments.Length], raised.AddHours(1).ToUniversalTime()));
        if (shape == 3)
        {
            var bureau = Bureaus[k % Bureaus.Length];
            events.Add(new TicketEscalated(id, bureau, "需上级协调", raised.AddHours(2).ToUniversalTime()));
            events.Add(new BureauReplied(id, bureau, "已受理", null, raised.AddHours(5).ToUniversalTime()));
            return events.ToArray();
        }
        events.Add(new TicketResponded(id, "已联系交通部门办理通行证。", raised.AddHours(3).ToUniversalTime()));
        if (shape is 1 or 2) return events.ToArray();
        events.Add(new TicketResolved(id, "通行证已办结。", raised.AddDays(2).ToUniversalTime()));
        events.Add(shape == 9
            ? new TicketReopened(id, "企业反映仍未解决", raised.AddDays(3).ToUniversalTime())
            : new ReturnVisitRecorded(id, true, k % 7 != 0, "企业满意", raised.AddDays(3).ToUniversalTime()));
        return events.ToArray();
    }
}
