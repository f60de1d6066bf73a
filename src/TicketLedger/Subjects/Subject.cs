namespace TicketLedger.Subjects;

/// <summary>
/// The write-side aggregate: only what decisions on a subject need. Aggregated live from its (short) stream, so it has
/// no table of its own; readers use <see cref="SubjectView"/>.
/// </summary>
public sealed class Subject
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public HashSet<string> FundedBatches { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public static Subject Create(SubjectRegistered e) => new() { Id = e.SubjectId };

    public void Apply(FundDisbursed e) => FundedBatches.Add(e.Batch);
}
