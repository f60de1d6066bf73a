using Wolverine;
using TicketLedger.Hosting;
using FluentValidation;
using Marten;
using TicketLedger.Tickets;
using Wolverine.Http;

namespace TicketLedger.Bureaus;

/// <summary>
/// A bureau's reply from office.inbox, recorded through the same rules as POST /api/tickets/{id}/bureau-replies.
/// The durable inbox drops a redelivered envelope; a reply resent under a new envelope is recognised by its
/// MessageId on the ticket's BureauReplied events and has no second effect.
/// </summary>
public static class ReceiveBureauReplyHandler
{
    public static Task Handle(BureauReplyV1 reply, IMessageBus bus, Offices offices) => Handle(reply.ForOffice(null), bus, offices);

    public static Task Handle(BureauReply reply, IMessageBus bus, Offices offices) =>
        bus.InvokeInAsync(InboxOffice.For(reply.Office, offices), new RecordInboxBureauReply(reply));
}

/// <summary>A bureau's reply, placed in its office: recorded in that office's tenant.</summary>
public sealed record RecordInboxBureauReply(BureauReply Reply);

public static class RecordInboxBureauReplyHandler
{
    public static async Task Handle(RecordInboxBureauReply inbox, IDocumentSession session, IValidator<RecordBureauReply> validator,
        TimeProvider clock, CancellationToken ct)
    {
        var reply = inbox.Reply;
        if (string.IsNullOrWhiteSpace(reply.MessageId)) throw new BureauMessageRejected("messageId is required.");
        var command = new RecordBureauReply(reply.Bureau, reply.Message, reply.OccurredAt);
        BureauInbox.RejectWhenInvalid(await validator.ValidateAsync(command, ct));

        var stream = await session.Events.FetchForWriting<Ticket>(reply.TicketId, ct);
        var ticket = stream.Aggregate ?? throw new BureauMessageRejected($"No ticket {reply.TicketId} exists.");
        if (await AlreadyRecordedAsync(session, reply, ct)) return;

        var problem = RecordBureauReplyEndpoint.Check(command, ticket);
        if (!ReferenceEquals(problem, WolverineContinue.NoProblems)) throw new BureauMessageRejected(problem.Detail ?? problem.Title ?? "Refused.");

        session.LastModifiedBy = reply.Bureau;
        stream.AppendOne(RecordBureauReplyEndpoint.Decide(command, ticket, reply.MessageId, clock.GetUtcNow()));
    }

    private static async Task<bool> AlreadyRecordedAsync(IDocumentSession session, BureauReply reply, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(reply.TicketId, token: ct);
        return events.Any(e => e.Data is BureauReplied replied && replied.MessageId == reply.MessageId && replied.Bureau == reply.Bureau);
    }
}

public static class BureauInbox
{
    public static void RejectWhenInvalid(FluentValidation.Results.ValidationResult result)
    {
        if (result.IsValid) return;
        var errors = result.Errors.Select(e => $"{JsonName(e.PropertyName)}: {e.ErrorMessage}");
        throw new BureauMessageRejected("Invalid message: " + string.Join("; ", errors));
    }

    private static string JsonName(string property) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property);
}
