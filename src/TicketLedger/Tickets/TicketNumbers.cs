using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TicketLedger.Tickets;

/// <summary>
/// Ticket numbers `YYYY-NNNN`, counted per office and business year without gaps. The counter row is bumped inside
/// the transaction that appends TicketRaised: concurrent raises in one year queue on that row, and a raise that
/// rolls back gives its number back.
/// </summary>
public static class TicketNumbers
{
    public const string TableName = "ticket_numbers";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("office").AsPrimaryKey();
        table.AddColumn<int>("year").AsPrimaryKey();
        table.AddColumn<int>("last").NotNull();
        return table;
    }

    public static async Task<string> NextAsync(IDocumentSession session, string office, int year, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var next = await session.AdvancedSql.QueryAsync<int>(
            $"insert into {schema}.{TableName} as n (office, year, last) values (?, ?, 1) " +
            "on conflict (office, year) do update set last = n.last + 1 returning n.last", ct, office, year);
        return Format(year, next.Single());
    }

    public static string Format(int year, int sequence) => $"{year:D4}-{sequence:D4}";
}
