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
    /// The checkpoint row and the messages announcing it commit together (Wolverine's Marten outbox), in the session of
    /// one of the log's database's offices. The log is the database's, over every office's events in it; the office a
    /// checkpoint names is `Ledger:Office`, whichever office's session carried it.
    /// </summary>
    public static async Task<OutgoingMessages> Handle(IssueCheckpoint message, TransparencyLogs logs, IDocumentSession session, ReferenceData reference,
        Offices offices, TimeProvider clock, CancellationToken ct)
    {
        var log = logs.For(message.Database);
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
