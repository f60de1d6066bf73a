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
/// per-event entries of the last, partial day they give the ledger as it was recorded at any instant.
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

/// <summary>What one event changed in the ledger, by business day: the audit trail of every figure.</summary>
public sealed class LedgerEntry
{
    public long Id { get; set; }
    public string Office { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
    public Dictionary<int, Counters> Changes { get; set; } = [];
}
