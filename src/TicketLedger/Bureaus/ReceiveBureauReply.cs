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
    public static Task Handle(BureauReplyV1 reply, IMessageBus bus, Offices offices) =>
        Handle(reply.InOffice(InboxOffice.ForVersion1(BureauReplyV1.Type, BureauReply.Type, offices).Code), bus, offices);

    public static Task Handle(BureauReply reply, IMessageBus bus, Offices offices)
    {
        var office = InboxOffice.For(reply.Office, offices);
        return bus.InvokeInAsync(office, new RecordInboxBureauReply(reply with { Office = office.Code }));
    }
}

/// <summary>A bureau's reply, placed in its office (named on it): recorded in that office's tenant.</summary>
public sealed record RecordInboxBureauReply(BureauReply Reply);

public static class RecordInboxBureauReplyHandler
{
    [WaitsForTicketView]
    public static async Task Handle(RecordInboxBureauReply inbox, IDocumentSession session, IValidator<RecordBureauReply> validator,
        TimeProvider clock, CancellationToken ct)
    {
        var reply = inbox.Reply;
        if (string.IsNullOrWhiteSpace(reply.MessageId)) throw new BureauMessageRejected("messageId is required.");
        var command = new RecordBureauReply(reply.Bureau, reply.Message, reply.OccurredAt);
        BureauInbox.RejectWhenInvalid(await validator.ValidateAsync(command, ct));

        var stream = await session.Events.FetchForWriting<Ticket>(reply.TicketId, ct);
        TicketViewRebuilding.ThrowIfRebuilding(stream);
        // Another office's ticket is not there to find, as for the office's own routes.
        var ticket = stream.Aggregate ?? throw new BureauMessageRejected($"No ticket {reply.TicketId} exists in office '{reply.Office}'.");
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
