using Wolverine.Attributes;

namespace TicketLedger.Bureaus;

// The wire contracts with the upstream bureaus (docs/messages.md). The identities are what travels as the message
// type, so renaming a record never breaks a bureau; a change a bureau would notice gets a new identity (".v2").

/// <summary>Out, to queue bureau.&lt;code&gt;: the office hands a ticket to the bureau.</summary>
[MessageIdentity("ticketledger.ticket-escalated-to-bureau.v1")]
public sealed record TicketEscalatedToBureau(
    Guid TicketId,
    string Number,
    string Office,
    string Bureau,
    string Reason,
    Guid SubjectId,
    string? SubjectName,
    string Category,
    string Title,
    string Description,
    DateTimeOffset RaisedAt,
    DateTimeOffset EscalatedAt,
    string? CorrelationId);

/// <summary>Out, to the queue of every bureau involved in the ticket: the problem is resolved.</summary>
[MessageIdentity("ticketledger.ticket-resolved-notice.v1")]
public sealed record TicketResolvedNotice(
    Guid TicketId,
    string Number,
    string Office,
    string Bureau,
    string Resolution,
    DateTimeOffset ResolvedAt,
    string? CorrelationId);

/// <summary>
/// In, on office.inbox: a bureau answers a ticket escalated to it. MessageId is the bureau's own id of this reply;
/// Office names the office the ticket belongs to (required when the deployment has several).
/// </summary>
[MessageIdentity(Type)]
public sealed record BureauReply(
    Guid TicketId, string? Bureau, string? Message, string? MessageId, DateTimeOffset? OccurredAt = null, string? Office = null)
{
    public const string Type = "ticketledger.bureau-reply.v2";
}

/// <summary>The reply before offices: still read where there is one office, which it then is for.</summary>
[MessageIdentity(Type)]
public sealed record BureauReplyV1(Guid TicketId, string? Bureau, string? Message, string? MessageId, DateTimeOffset? OccurredAt = null)
{
    public const string Type = "ticketledger.bureau-reply.v1";

    public BureauReply InOffice(string office) => new(TicketId, Bureau, Message, MessageId, OccurredAt, office);
}

/// <summary>
/// In, on office.inbox: a bureau (its code) or the hotline (<see cref="Hotline"/>) hands the office a new problem of
/// a registered subject of an office (Office, required when the deployment has several). MessageId is the sender's
/// own id of this referral: the same id never raises twice.
/// </summary>
[MessageIdentity(Type)]
public sealed record ProblemReferral(
    string? MessageId, string? From, Guid SubjectId, string? Category, string? Title, string? Description,
    DateTimeOffset? OccurredAt = null, string? Office = null)
{
    public const string Type = "ticketledger.problem-referral.v2";
    public const string Hotline = "hotline";
}

/// <summary>The referral before offices: still read where there is one office, which it then is for.</summary>
[MessageIdentity(Type)]
public sealed record ProblemReferralV1(
    string? MessageId, string? From, Guid SubjectId, string? Category, string? Title, string? Description, DateTimeOffset? OccurredAt = null)
{
    public const string Type = "ticketledger.problem-referral.v1";

    public ProblemReferral InOffice(string office) => new(MessageId, From, SubjectId, Category, Title, Description, OccurredAt, office);
}

/// <summary>
/// A message that can never be applied as it stands (unknown ticket, subject or bureau, a state that refuses it):
/// retrying cannot help, so it goes straight to the dead-letter store with this reason for an admin to look at.
/// </summary>
public sealed class BureauMessageRejected(string reason) : Exception(reason);
