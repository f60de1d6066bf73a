using Marten;
using TicketLedger.Audit;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using Wolverine;

namespace TicketLedger.Bureaus;

/// <summary>The bureaus are the log's witnesses: each checkpoint is published to every bureau's queue (docs/messages.md).</summary>
public static class IssueCheckpointHandler
{
    /// <summary>
    /// The checkpoint row and the messages announcing it commit together (Wolverine's Marten outbox). The log is the
    /// deployment's, over every office's events, and named after `Ledger:Office`: that is the office a checkpoint names,
    /// whoever asked for it (a district's background writer asks in no office at all).
    /// </summary>
    public static async Task<OutgoingMessages> Handle(IssueCheckpoint _, TransparencyLog log, IDocumentSession session, ReferenceData reference,
        Offices offices, TimeProvider clock, CancellationToken ct)
    {
        if (await log.CheckpointToIssueAsync(ct) is not { } note) return [];
        var (sql, parameters) = log.StoreCheckpoint(note);
        session.QueueSqlCommand(sql, parameters);

        Transparency.Checkpoint.TryParse(note.Body, out var checkpoint);
        var issuedAt = clock.GetUtcNow();
        return [.. reference.Bureaus.Select(b => new CheckpointPublished(offices.Home, b.Code, checkpoint!.Origin, checkpoint.Size,
                Convert.ToBase64String(checkpoint.Root), note.Text, issuedAt)
            .ToEndpoint(BureauMessaging.QueueFor(b.Code)))];
    }
}
