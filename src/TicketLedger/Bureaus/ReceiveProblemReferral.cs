using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Marten;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using TicketLedger.Tickets;
using Wolverine;

namespace TicketLedger.Bureaus;

/// <summary>Which bureau handed a ticket's problem over, so that bureau hears how it ended.</summary>
public sealed record BureauReferral(Guid Id, string Bureau, string MessageId);

/// <summary>
/// A problem handed over by a bureau or the hotline, raised as a ticket through the same intake as POST /api/tickets.
/// The ticket id is derived from the sender and its message id, so a referral delivered again finds its ticket
/// instead of raising a second one (and two copies racing collide on the stream id).
/// </summary>
public static class ReceiveProblemReferralHandler
{
    public static async Task<OutgoingMessages> Handle(ProblemReferral referral, IDocumentSession session, IValidator<RaiseTicket> validator,
        ReferenceData reference, Office office, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(referral.MessageId)) throw new BureauMessageRejected("messageId is required.");
        if (referral.From != ProblemReferral.Hotline && !reference.IsBureau(referral.From))
            throw new BureauMessageRejected($"from '{referral.From}' is neither a bureau code of GET /api/reference nor '{ProblemReferral.Hotline}'.");
        var source = referral.From == ProblemReferral.Hotline ? TicketSource.Hotline : TicketSource.BureauReferral;
        var command = new RaiseTicket(referral.SubjectId, referral.Category, referral.Title, referral.Description, source, referral.OccurredAt);
        BureauInbox.RejectWhenInvalid(await validator.ValidateAsync(command, ct));

        var ticketId = TicketIdFor(referral.From!, referral.MessageId);
        if (await session.Events.FetchStreamStateAsync(ticketId, ct) is not null) return [];
        if (!await TicketIntake.IsRegisteredSubjectAsync(session, referral.SubjectId, ct))
            throw new BureauMessageRejected($"No subject {referral.SubjectId} is registered.");

        session.LastModifiedBy = referral.From;
        var now = clock.GetUtcNow();
        var raised = await TicketIntake.RaiseAsync(session, office, command, ticketId, now, ct);
        if (source == TicketSource.BureauReferral) session.Store(new BureauReferral(ticketId, referral.From!, referral.MessageId));
        return [ResponseDeadline.For(raised, now)];
    }

    /// <summary>A name-based (version 8) Guid: the same sender and message id always give the same ticket id.</summary>
    public static Guid TicketIdFor(string from, string messageId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"ticketledger/problem-referral/{from}/{messageId}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
