namespace TicketLedger.Audit;

/// <summary>Sign the tree as it stands, store the checkpoint and publish it to the witnesses, when it says something new.</summary>
public sealed record IssueCheckpoint;
