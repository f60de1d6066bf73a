using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using TicketLedger.Audit;
using TicketLedger.Transparency;
using Wolverine;
using Wolverine.Http;

namespace TicketLedger.Tickets;

/// <summary>
/// Everything an auditor needs to prove a ticket's history offline with only the log's public key: a signed
/// checkpoint, and each event's leaf bytes with its inclusion path in that checkpoint's tree.
/// </summary>
public static class TicketEvidenceEndpoint
{
    public const string RaisedType = "ticket_raised";

    [WolverineGet("/api/tickets/{id}/evidence", OperationId = "GetTicketEvidence", Summary = "A ticket's events with inclusion proofs against a signed checkpoint")]
    [Authorize(Policy = Policies.Audit), Tags("audit")]
    [ProducesResponseType<EvidenceBundle>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, Problems.ContentType)]
    public static async Task<IResult> Get(Guid id, Office office, TransparencyLogs logs, IMessageBus bus, CancellationToken ct)
    {
        var log = logs.For(office);
        var events = await log.StreamLeavesAsync(office.Code, id, ct);
        if (events.Count == 0 || events[0].Leaf.Type != RaisedType) return Results.Problem(TicketAccess.NotFound(id));

        var latest = await log.LatestCheckpointAsync(ct);
        if (latest is null || events.Any(e => e.Index is null || e.Index >= latest.Checkpoint.Size))
        {
            latest = await log.CatchUpAsync(bus, ct);
            events = await log.StreamLeavesAsync(office.Code, id, ct);
        }

        var size = latest!.Checkpoint.Size;
        var proven = new List<EvidenceEvent>();
        foreach (var (leaf, index) in events)
        {
            // An event that is not in the log (written into its past, past the writer) is shown without a path: the
            // verifier reports it instead of the bundle silently leaving it out.
            var path = index is { } i && i < size ? (await log.InclusionProofAsync(i, size, ct)).Path : [];
            proven.Add(new EvidenceEvent(leaf.Sequence, index is { } j && j < size ? j : -1, Convert.ToBase64String(leaf.Encode()), path));
        }
        return Results.Ok(new EvidenceBundle(latest.Note.Text, proven));
    }
}
