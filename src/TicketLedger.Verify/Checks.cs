using System.Text.Json;
using TicketLedger.Transparency;

namespace TicketLedger.Verify;

/// <summary>The checks behind each command (docs/audit.md says what each proves).</summary>
public static class Checks
{
    public static void Evidence(Report report, EvidenceBundle bundle, NoteVerifier key, IReadOnlyList<NoteVerifier> witnesses, Guid? ticket)
    {
        if (!report.Check(SignedNote.TryParse(bundle.Checkpoint, out var note), "the bundle's checkpoint is a signed note")) return;
        if (report.Checkpoint(note!, key, witnesses) is not { } checkpoint) return;
        if (!report.Check(bundle.Events.Count > 0, "the bundle holds events")) return;

        var stream = ticket;
        var version = 0L;
        foreach (var e in bundle.Events)
        {
            var bytes = Convert.FromBase64String(e.Leaf);
            EventLeaf leaf;
            try
            {
                leaf = EventLeaf.Decode(bytes);
            }
            catch (FormatException problem)
            {
                report.Check(false, $"event {e.Sequence}: {problem.Message}");
                continue;
            }
            stream ??= leaf.StreamId;
            var what = $"sequence {leaf.Sequence}, version {leaf.Version}, {leaf.Type}, recorded {leaf.RecordedAt:O} by {leaf.Actor}";
            report.Check(leaf.StreamId == stream && leaf.Sequence == e.Sequence, $"{what}: belongs to ticket {stream}");
            report.Check(leaf.Version == ++version, $"{what}: follows version {version - 1} with no gap");
            report.Check(e.Index >= 0 && Merkle.VerifyInclusion(e.Index, checkpoint.Size, Merkle.LeafHash(bytes), Documents.FromHex(e.Path), checkpoint.Root),
                $"{what}: is leaf {e.Index} of the checkpoint's tree");
        }
    }

    public static void Consistency(Report report, SignedNote old, SignedNote current, ConsistencyProof proof, NoteVerifier key)
    {
        var (before, after) = (report.Checkpoint(old, key, []), report.Checkpoint(current, key, []));
        if (before is null || after is null) return;
        if (!report.Check(proof.From == before.Size && proof.To == after.Size, $"the proof goes from {before.Size} to {after.Size} leaves")) return;
        report.Check(Merkle.VerifyConsistency(before.Size, after.Size, before.Root, after.Root, Documents.FromHex(proof.Path)),
            $"the log of {after.Size} leaves extends the saved one of {before.Size} without changing it");
    }

    public static void Export(Report report, SignedNote note, string exportPath, NoteVerifier key, IReadOnlyList<NoteVerifier> witnesses)
    {
        if (report.Checkpoint(note, key, witnesses) is not { } checkpoint) return;
        var frontier = new MerkleFrontier();
        var tickets = new TicketCount();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var line in File.ReadLines(exportPath).Where(l => l.Length > 0))
        {
            var exported = JsonSerializer.Deserialize<ExportedEvent>(line, Documents.Json)!;
            if (exported.Index != frontier.Size)
            {
                report.Check(false, $"leaf {frontier.Size} is in the export (the next line is leaf {exported.Index})");
                return;
            }
            frontier.Append(Merkle.LeafHash(exported.ToLeaf().Encode()));
            tickets.Add(exported);
        }
        report.Check(frontier.Size == checkpoint.Size, $"the export holds the checkpoint's {checkpoint.Size} leaves (found {frontier.Size})");
        report.Check(frontier.Root().AsSpan().SequenceEqual(checkpoint.Root),
            $"the tree rebuilt from the export has the checkpoint's root {Convert.ToHexStringLower(checkpoint.Root)}");
        report.Info($"rebuilt {frontier.Size} leaves in {clock.ElapsedMilliseconds} ms");
        foreach (var line in tickets.Lines()) report.Info(line);
    }
}

/// <summary>
/// The ticket figures of the ledger recounted from the exported events alone: a ticket is pending from its raise until
/// resolved, and pending again when reopened (a return visit that finds it unresolved appends a reopen). A ticket
/// counts for the office its raise names; its later events are matched to it by stream within that office, or, for a
/// store upgraded from a single office, across the rename of `*DEFAULT*` to that office (docs/audit.md).
/// </summary>
public sealed class TicketCount
{
    private readonly Dictionary<(string Office, Guid Ticket), bool> _resolved = [];
    private readonly Dictionary<Guid, List<string>> _raisedIn = [];

    public void Add(ExportedEvent e)
    {
        if (e.Type == "ticket_raised")
        {
            var office = RaisedIn(e);
            _resolved[(office, e.StreamId)] = false;
            (_raisedIn.TryGetValue(e.StreamId, out var offices) ? offices : _raisedIn[e.StreamId] = []).Add(office);
            return;
        }
        if (Ticket(e) is not { } ticket) return;
        if (e.Type == "ticket_resolved") _resolved[ticket] = true;
        else if (e.Type == "ticket_reopened") _resolved[ticket] = false;
    }

    private (string, Guid)? Ticket(ExportedEvent e) => _raisedIn.GetValueOrDefault(e.StreamId) switch
    {
        { } offices when offices.Contains(e.Office) => (e.Office, e.StreamId),
        [var only] => (only, e.StreamId),
        _ => null,
    };

    private static string RaisedIn(ExportedEvent e)
    {
        using var data = System.Text.Json.JsonDocument.Parse(e.Data);
        return data.RootElement.TryGetProperty("office", out var office) && office.GetString() is { Length: > 0 } code ? code : e.Office;
    }

    public IEnumerable<string> Lines() => _resolved.GroupBy(t => t.Key.Office).OrderBy(g => g.Key).Select(g =>
        $"office {g.Key}: tickets raised {g.Count()}, resolved {g.Count(t => t.Value)}, pending {g.Count(t => !t.Value)}");
}
