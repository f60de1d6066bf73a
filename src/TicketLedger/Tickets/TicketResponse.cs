using System.Globalization;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

/// <summary>A ticket as clients read it: times on the office's clock with their offset, overdue judged at a moment.</summary>
public sealed record TicketResponse(
    Guid Id, string Number, Guid SubjectId, string Category, string Title, string Description, TicketSource Source,
    TicketStatus Status, string? Department, string? Bureau, DateTimeOffset RaisedAt, DateTimeOffset DueBy,
    DateTimeOffset? RespondedAt, DateTimeOffset? ResolvedAt, string? Resolution, bool Overdue, DateTimeOffset? DeadlineMissedAt,
    int ReopenCount, bool? Satisfied, long Version, DateTimeOffset RecordedAt, DateTimeOffset LastRecordedAt)
{
    public static TicketResponse From(TicketView v, Office office, DateTimeOffset at) => new(
        v.Id, v.Number, v.SubjectId, v.Category, v.Title, v.Description, v.Source, v.Status, v.Department, v.Bureau,
        office.ToLocal(v.RaisedAt), office.ToLocal(v.DueBy), Local(office, v.RespondedAt), Local(office, v.ResolvedAt), v.Resolution,
        v.IsOverdueAt(at), Local(office, v.DeadlineMissedAt), v.ReopenCount, v.Satisfied, v.Version,
        office.ToLocal(v.RecordedAt), office.ToLocal(v.LastRecordedAt));

    private static DateTimeOffset? Local(Office office, DateTimeOffset? at) => at is { } value ? office.ToLocal(value) : null;
}

/// <summary>Query-string values parsed strictly: a value that does not parse is a 400 naming the parameter, never ignored.</summary>
public sealed class QueryErrors
{
    private readonly Dictionary<string, string[]> _errors = [];

    public bool Any => _errors.Count > 0;

    public IResult Result() => Results.ValidationProblem(_errors, title: "One or more query parameters are invalid.", type: "https://httpstatuses.io/400");

    public DateTimeOffset? Timestamp(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        // An unencoded '+' of an offset arrives as a space.
        if (DateTimeOffset.TryParse(value.Trim().Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return at.ToUniversalTime(); // Npgsql writes only UTC offsets to timestamptz.
        _errors[name] = ["must be an ISO-8601 timestamp with offset, e.g. 2020-03-15T18:00:00+08:00"];
        return null;
    }

    public int? Integer(string name, string? value, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
        _errors[name] = [$"must be a whole number from {min} to {max}"];
        return null;
    }

    public bool? Boolean(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (bool.TryParse(value, out var b)) return b;
        _errors[name] = ["must be true or false"];
        return null;
    }

    public Guid? Id(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (Guid.TryParse(value, out var id)) return id;
        _errors[name] = ["must be a ticket or subject id (a GUID)"];
        return null;
    }

    public TicketStatus? Status(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        foreach (var status in Enum.GetValues<TicketStatus>())
            if (status.Name() == value) return status;
        _errors[name] = [$"must be one of {string.Join(", ", Enum.GetValues<TicketStatus>().Select(s => s.Name()))}"];
        return null;
    }

    public void Check(string name, bool ok, string message)
    {
        if (!ok) _errors[name] = [message];
    }
}
