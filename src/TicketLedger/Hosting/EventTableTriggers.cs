using System.Data.Common;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace TicketLedger.Hosting;

/// <summary>
/// PL/pgSQL functions and the triggers on mt_events that call them, as one schema object of Marten's schema management.
/// Not Weasel <c>Function</c> objects: Weasel updates a function by DROP ... CASCADE, which would silently drop the
/// triggers with it. Here the functions are only ever replaced in place, and the installed version is recognised by a
/// fingerprint of their SQL, kept as the comment of <paramref name="fingerprinted"/>.
/// </summary>
public abstract class EventTableTriggers(string schema, string fingerprintPrefix, string fingerprinted) : ISchemaObject
{
    protected string Schema => schema;

    protected abstract string Functions { get; }

    /// <summary>Each trigger's name and its CREATE statement.</summary>
    protected abstract IReadOnlyList<(string Name, string Create)> Triggers { get; }

    /// <summary>Statements run after the triggers are in place, in the same migration.</summary>
    protected virtual void WriteAfterCreate(TextWriter writer) { }

    private string Fingerprint => $"{fingerprintPrefix} " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.UTF8.GetBytes(Functions))).Substring(0, 16);

    public DbObjectName Identifier => Name(Triggers[0].Name);

    public IEnumerable<DbObjectName> AllNames() => Triggers.Select(t => Name(t.Name));

    public void WriteCreateStatement(Migrator migrator, TextWriter writer)
    {
        writer.WriteLine(Functions);
        writer.WriteLine($"comment on function {schema}.{fingerprinted} is '{Fingerprint}';");
        foreach (var (name, _) in Triggers) writer.WriteLine($"drop trigger if exists {name} on {schema}.mt_events;");
        foreach (var (_, create) in Triggers) writer.WriteLine(create);
        WriteAfterCreate(writer);
    }

    public void WriteDropStatement(Migrator migrator, TextWriter writer)
    {
        var drops = string.Join(" ", Triggers.Select(t => $"drop trigger if exists {t.Name} on {schema}.mt_events;"));
        writer.WriteLine($"do $$ begin if to_regclass('{schema}.mt_events') is not null then {drops} end if; end $$;");
    }

    public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder) => builder.Append($"""
        select obj_description(to_regprocedure('{schema}.{fingerprinted}'), 'pg_proc'),
               (select count(*) from pg_trigger t
                  join pg_class c on c.oid = t.tgrelid
                  join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = '{schema}' and c.relname = 'mt_events'
                   and t.tgname in ({string.Join(", ", Triggers.Select(t => $"'{t.Name}'"))}));
        """);

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct)
    {
        await reader.ReadAsync(ct);
        var installed = !reader.IsDBNull(0) && reader.GetString(0) == Fingerprint && reader.GetInt64(1) == Triggers.Count;
        return new SchemaObjectDelta(this, installed ? SchemaPatchDifference.None : SchemaPatchDifference.Create);
    }

    private PostgresqlObjectName Name(string trigger) => new(schema, trigger, SchemaUtils.IdentifierUsage.General);
}
