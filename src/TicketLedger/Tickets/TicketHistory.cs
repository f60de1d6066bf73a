using Microsoft.AspNetCore.Authorization;
using System.Globalization;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TicketLedger.Audit;
using TicketLedger.Hosting;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>
/// One event of a ticket's stream with everything an auditor asks about it: the office it is recorded in, who, when
/// recorded, when it happened, why, and its hash in the tamper-evident chain (null only in the instant before the
/// append's trigger row is visible).
/// </summary>
public sealed record TicketHistoryEntry(
    long Sequence, long Version, string Type, string Office, DateTimeOffset RecordedAt, DateTimeOffset? OccurredAt,
    string? Actor, string? CorrelationId, string? CausationId, string? Hash, object Data);

public sealed record TicketHistory(Guid Id, string Office, IReadOnlyList<TicketHistoryEntry> Events);

public static class TicketHistoryEndpoint
{
    [WolverineGet("/api/tickets/{id}/history", OperationId = "GetTicketHistory", Summary = "Every event of a ticket with its times, actor, correlation id and hash")]
    [Tags("tickets"), Authorize(Policy = Policies.ReadTickets)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<TicketHistory>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, Office office, AuditChains chains, HttpContext context, CancellationToken ct)
    {
        var history = await Load(id, session, office, chains.For(office), context, ct);
        return history is null ? Results.Problem(TicketAccess.NotFound(id)) : Results.Ok(history);
    }

    /// <summary>
    /// The same history as evidence for a spreadsheet: one row per event, its data as JSON. The office is the last
    /// column, after those that spreadsheets made before offices existed read by position.
    /// </summary>
    [WolverineGet("/api/tickets/{id}/history.csv", OperationId = "GetTicketHistoryCsv", Summary = "A ticket's history as CSV")]
    [Tags("tickets"), Authorize(Policy = Policies.ReadTickets)]
    [Microsoft.AspNetCore.Mvc.Produces("text/csv")]
    public static async Task<IResult> GetCsv(
        Guid id, IQuerySession session, Office office, AuditChains chains, IOptions<JsonOptions> json, HttpContext context, CancellationToken ct)
    {
        var history = await Load(id, session, office, chains.For(office), context, ct);
        if (history is null) return Results.Problem(TicketAccess.NotFound(id));

        var text = new StringBuilder("sequence,version,type,recordedAt,occurredAt,actor,correlationId,causationId,hash,data,office\r\n");
        foreach (var e in history.Events)
        {
            string[] cells =
            [
                e.Sequence.ToString(CultureInfo.InvariantCulture), e.Version.ToString(CultureInfo.InvariantCulture), e.Type,
                e.RecordedAt.ToString("O"), e.OccurredAt?.ToString("O") ?? "", e.Actor ?? "", e.CorrelationId ?? "",
                e.CausationId ?? "", e.Hash ?? "", JsonSerializer.Serialize(e.Data, e.Data.GetType(), json.Value.SerializerOptions), e.Office,
            ];
            text.AppendJoin(',', cells.Select(Csv.Quote)).Append("\r\n");
        }
        return Results.File(Csv.WithBom(text), "text/csv; charset=utf-8", $"ticket-{id}-history.csv");
    }

    private static async Task<TicketHistory?> Load(Guid id, IQuerySession session, Office office, AuditChain chain, HttpContext context, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not TicketRaised || !TicketAccess.MaySee(context.User, Ticket.Fold(events)?.Bureau))
            return null;

        var hashes = await chain.EventHashesAsync(events.Select(e => e.Sequence).ToList(), ct);
        return new TicketHistory(id, office.Code, events.Select(e => Entry(e, office, hashes.GetValueOrDefault(e.Sequence))).ToList());
    }

    /// <summary>The office is the tenant the event is stored under: moving it to another office breaks the chain (docs/audit.md).</summary>
    private static TicketHistoryEntry Entry(IEvent e, Office office, string? hash) => new(
        e.Sequence, e.Version, e.Data.GetType().Name, e.TenantId, office.ToLocal(e.Timestamp),
        e.Data is IBusinessEvent b ? office.ToLocal(b.OccurredAt) : null,
        e.UserName, e.CorrelationId, e.CausationId, hash, e.Data);
}
