using System.Security.Cryptography;
using System.Text;
using Marten;
using TicketLedger.Hosting;
using TicketLedger.Tickets;
using Wolverine;

namespace TicketLedger.Bureaus;

/// <summary>Which bureau handed a ticket's problem over, so that bureau hears how it ended.</summary>
public sealed record BureauReferral(Guid Id, string Bureau, string MessageId);

/// <summary>A referral as raised: its ticket, and the same-day timer to commit with it (none when it was raised before).</summary>
public sealed record ReferredTicket(Guid TicketId, string Number, OutgoingMessages Messages);

/// <summary>
/// Raising a referred problem, from the broker or over HTTP. The ticket id is derived from the sender and its message
/// id, so a referral delivered again finds its ticket instead of raising a second one (and two copies racing collide
/// on the stream id).
/// </summary>
public static class ProblemReferrals
{
    public static async Task<ReferredTicket> RaiseOnceAsync(
        IDocumentSession session, TicketNumberTurn turn, Office office, Offices offices, string from, string messageId, RaiseTicket command, DateTimeOffset now,
        CancellationToken ct)
    {
        var ticketId = TicketIdFor(from, messageId, office.Code == offices.Home ? null : office.Code);
        if (await session.LoadAsync<Ticket>(ticketId, ct) is { } earlier) return new ReferredTicket(earlier.Id, earlier.Number, []);
        session.LastModifiedBy = from;
        var raised = await TicketIntake.RaiseAsync(session, turn, office, command, ticketId, now, ct);
        if (command.Source == TicketSource.BureauReferral) session.Store(new BureauReferral(ticketId, from, messageId));
        return new ReferredTicket(ticketId, raised.Number, [ResponseDeadline.For(raised, now)]);
    }

    /// <summary>
    /// A name-based (version 8) Guid: the same sender and message id always give the same ticket id in an office.
    /// office: null for `Ledger:Office`, whose referral tickets kept their ids when offices came; any other office is
    /// part of the name, because a ticket id is unique in the whole deployment (the ledger keys its documents by it) and
    /// the same message id sent to two offices is two problems (docs/messages.md).
    /// </summary>
    public static Guid TicketIdFor(string from, string messageId, string? office = null)
    {
        var name = office is null ? $"ticketledger/problem-referral/{from}/{messageId}" : $"ticketledger/problem-referral@{office}/{from}/{messageId}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
