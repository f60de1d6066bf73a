using System.Collections.Concurrent;
using Marten;

namespace TicketLedger.Tickets;

/// <summary>
/// Whether a raise's subject is registered in its office, remembered once seen: a subject's stream starts with
/// SubjectRegistered and events are never removed, so a yes stays true, and a raise for a known enterprise asks the
/// database nothing before its group. A no is asked again every time, since the subject may be registered a moment later
/// on any node.
/// </summary>
public sealed class RegisteredSubjects
{
    /// <summary>About 10 MB at most; beyond it subjects are checked in the database as before.</summary>
    public const int Capacity = 200_000;

    private readonly ConcurrentDictionary<(string Office, Guid Subject), byte> _seen = new();

    public async ValueTask<bool> IsRegisteredAsync(IQuerySession session, Guid subjectId, CancellationToken ct)
    {
        var key = (session.TenantId, subjectId);
        if (_seen.ContainsKey(key)) return true;
        if (!await TicketIntake.IsRegisteredSubjectAsync(session, subjectId, ct)) return false;
        if (_seen.Count < Capacity) _seen.TryAdd(key, 0);
        return true;
    }
}
