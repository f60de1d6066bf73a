namespace TicketLedger.Audit;

/// <summary>
/// Sign the tree of a database's log as it stands, store the checkpoint and publish it to the witnesses, when it says
/// something new. Invoked in a session of one of that database's offices (<see cref="TransparencyLog.IssueCheckpointAsync"/>).
/// </summary>
public sealed record IssueCheckpoint(string Database);
