using FluentValidation;
using Marten;
using TicketLedger.Hosting;
using TicketLedger.Reference;
using TicketLedger.Tickets;
using Wolverine;

namespace TicketLedger.Bureaus;

/// <summary>A problem handed over on the broker by a bureau or the hotline, raised through <see cref="ProblemReferrals"/>.</summary>
public static class ReceiveProblemReferralHandler
{
    public static Task Handle(ProblemReferralV1 referral, IMessageBus bus, Offices offices) =>
        Handle(referral.InOffice(InboxOffice.ForVersion1(ProblemReferralV1.Type, ProblemReferral.Type, offices).Code), bus, offices);

    public static Task Handle(ProblemReferral referral, IMessageBus bus, Offices offices) =>
        bus.InvokeInAsync(InboxOffice.For(referral.Office, offices), new RaiseInboxReferral(referral));
}

/// <summary>A referral, placed in its office: raised in that office's tenant, numbered by its counter.</summary>
public sealed record RaiseInboxReferral(ProblemReferral Referral);

public static class RaiseInboxReferralHandler
{
    public static async Task<OutgoingMessages> Handle(RaiseInboxReferral inbox, IDocumentSession session, TicketNumberTurn turn, IValidator<RaiseTicket> validator,
        RegisteredSubjects subjects, ReferenceData reference, Office office, Offices offices, TimeProvider clock, CancellationToken ct)
    {
        var referral = inbox.Referral;
        if (string.IsNullOrWhiteSpace(referral.MessageId)) throw new BureauMessageRejected("messageId is required.");
        if (referral.From != ProblemReferral.Hotline && !reference.IsBureau(referral.From))
            throw new BureauMessageRejected($"from '{referral.From}' is neither a bureau code of GET /api/reference nor '{ProblemReferral.Hotline}'.");
        var source = referral.From == ProblemReferral.Hotline ? TicketSource.Hotline : TicketSource.BureauReferral;
        var command = new RaiseTicket(referral.SubjectId, referral.Category, referral.Title, referral.Description, source, referral.OccurredAt);
        BureauInbox.RejectWhenInvalid(await validator.ValidateAsync(command, ct));
        if (!await subjects.IsRegisteredAsync(session, referral.SubjectId, ct))
            throw new BureauMessageRejected($"No subject {referral.SubjectId} is registered.");

        var referred = await ProblemReferrals.RaiseOnceAsync(session, turn, office, offices, referral.From!, referral.MessageId, command, clock.GetUtcNow(), ct);
        return referred.Messages;
    }
}
