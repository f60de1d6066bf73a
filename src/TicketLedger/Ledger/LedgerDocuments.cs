namespace TicketLedger.Ledger;

/// <summary>The live ledger of an office: every metric summed over all business dates, and how far it has read.</summary>
public sealed class LedgerTotals
{
    public string Id { get; set; } = "";
    public Counters Counters { get; set; } = new();
    public long LastSequence { get; set; }
    public DateTimeOffset? LastRecordedAt { get; set; }
}

/// <summary>The daily snapshot behind `asOf`: how much every metric changed on one business day of one office.</summary>
public sealed class LedgerDay
{
    public string Id { get; set; } = "";
    public string Office { get; set; } = "";
    public int Day { get; set; }
    public Counters Counters { get; set; } = new();

    public static string IdFor(string office, int day) => $"{office}:{day}";
}

/// <summary>
/// Behind `knownAt`: the changes to one business day that were recorded on one (UTC) day. Together with the
/// recordings of the last, partial day they give the ledger as it was recorded at any instant.
/// </summary>
public sealed class LedgerRecordedDay
{
    public string Id { get; set; } = "";
    public string Office { get; set; } = "";
    public int Day { get; set; }
    public int RecordedDay { get; set; }
    public Counters Counters { get; set; } = new();

    public static string IdFor(string office, int day, int recordedDay) => $"{office}:{day}:{recordedDay}";
}

/// <summary>
/// The audit trail of every figure, one document per page of events the projection applied: what the events recorded
/// at each instant changed, by business day. `knownAt` reads the items of its own (UTC) recording day from it, the
/// recorded-day buckets cover the days before. One document per page, not per event, keeps the catch-up to a few rows.
/// </summary>
public sealed class LedgerRecording
{
    public string Id { get; set; } = "";
    public string Office { get; set; } = "";
    /// <summary>The first and last recording instants of the items: a read selects the pages overlapping its day.</summary>
    public DateTimeOffset From { get; set; }
    public DateTimeOffset To { get; set; }
    public List<LedgerRecordingItem> Items { get; set; } = [];

    public static string IdFor(string office, long firstSequence) => $"{office}:{firstSequence}";
}

/// <summary>What the events recorded at one instant changed, by business day.</summary>
public sealed record LedgerRecordingItem(DateTimeOffset RecordedAt, Dictionary<int, Counters> Changes);
