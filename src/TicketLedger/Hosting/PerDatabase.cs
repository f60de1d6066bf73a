namespace TicketLedger.Hosting;

/// <summary>
/// One of something per database holding offices (an audit chain, a transparency log), found by office, by name, or as
/// the default the audit routes and commands read when no database is named (docs/nodes.md).
/// </summary>
public abstract class PerDatabase<T>
{
    private readonly Dictionary<string, T> _byDatabase;
    private readonly OfficeDatabases _databases;

    protected PerDatabase(OfficeDatabases databases, Func<string, T> create)
    {
        _databases = databases;
        _byDatabase = databases.Names.ToDictionary(name => name, create);
        All = databases.Names.Select(name => _byDatabase[name]).ToList();
        Default = _byDatabase[databases.Default];
    }

    public IReadOnlyList<T> All { get; }

    /// <summary>The first database's, read when no database is named.</summary>
    public T Default { get; }

    public T For(Office office) => _byDatabase[office.Database];

    public T For(string database) => _byDatabase[database];

    /// <summary>The one of the named database (`?database=`, any case), the default when none is named, null for an unknown name.</summary>
    public T? Named(string? database) =>
        database is null ? Default : _databases.Find(database) is { } name ? _byDatabase[name] : default;
}
