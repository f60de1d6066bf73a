using Marten;
using Marten.Storage;

namespace TicketLedger.Hosting;

/// <summary>
/// The PostgreSQL databases holding the offices (docs/nodes.md): each `Offices:&lt;i&gt;:Database` is one, the main
/// connection string when none is named. Each database has its own event sequence, and so its own audit chain and
/// transparency log; the district's answers read every database its offices live in.
/// </summary>
public sealed class OfficeDatabases(IDocumentStore store, Offices offices)
{
    /// <summary>The databases holding offices, the main one first when it holds any.</summary>
    public IReadOnlyList<string> Names { get; } = offices.Databases;

    /// <summary>The database audit routes and commands read when none is named: the first holding offices.</summary>
    public string Default => Names[0];

    public string? Find(string? name) => Names.FirstOrDefault(n => string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<Office> OfficesIn(string database) => offices.In(database);

    /// <summary>An office of the database: a session for it opens on that database (Marten routes sessions by tenant).</summary>
    public Office AnyOfficeIn(string database) => offices.In(database)[0];

    /// <summary>Marten's database identifier for a connection string name (docs/nodes.md).</summary>
    public static string Identifier(string database) => database.ToLowerInvariant();

    public ValueTask<IMartenDatabase> DatabaseAsync(string database) =>
        offices.SpreadOverDatabases
            ? store.Storage.FindOrCreateDatabase(Identifier(database))
            : ValueTask.FromResult(store.Storage.Database);

    /// <summary>The offices of a list grouped by the database holding them, in the order of <see cref="Names"/>.</summary>
    public IEnumerable<(string Database, IReadOnlyList<Office> Offices)> Group(IEnumerable<Office> some)
    {
        var list = some.ToList();
        foreach (var name in Names)
            if (list.Where(o => o.Database == name).ToList() is { Count: > 0 } inIt) yield return (name, inIt);
    }
}
