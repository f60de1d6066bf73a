using Marten;
using TicketLedger.Hosting;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TicketLedger.Tickets;

/// <summary>
/// Ticket numbers `YYYY-NNNN`, counted per office and business year without gaps (docs/ticket-lifecycle.md, "Numbers").
/// The counter row moves only in the transaction that appends the TicketRaised events carrying the numbers, and only on
/// from the number before them: a group of raises takes its numbers from the row (<see cref="TakeAsync"/>), a raise
/// committed alone settles its number inside its COMMIT (<see cref="TicketNumberSettling"/>). A raise that rolls back
/// gives its number back, and one whose number is not the next commits nothing.
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

    /// <summary>
    /// The number after <paramref name="last"/> (after the row's, when null or when <paramref name="holdRow"/>, which also
    /// locks the row to the commit), marked as in flight until the transaction ends: the raise numbered after it waits on
    /// that mark at its commit.
    /// </summary>
    public static async Task<int> ReserveAsync(IDocumentSession session, string office, int year, int? last, bool holdRow, CancellationToken ct)
    {
        var reserved = await session.AdvancedSql.QueryAsync<int>(
            $"select {session.DocumentStore.Options.DatabaseSchemaName}.tl_ticket_number_reserve(?, ?, ?, ?)", ct,
            office, year, (object?)last ?? DBNull.Value, holdRow);
        return reserved.Single();
    }

    /// <summary>
    /// Moves the counter row on by <paramref name="count"/> numbers at once and returns the last of them. The row stays
    /// locked to the commit, so the numbers commit or roll back with the appends that carry them, and a raise numbered
    /// from the row by anyone else waits for that outcome (a group of raises, <see cref="TicketGroupCommit"/>).
    /// </summary>
    public static async Task<int> TakeAsync(IDocumentSession session, string office, int year, int count, CancellationToken ct)
    {
        var table = $"{session.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
        var last = await session.AdvancedSql.QueryAsync<int>(
            $"insert into {table} as t (office, year, last) values (?, ?, ?) on conflict (office, year) do update set last = t.last + excluded.last returning t.last",
            ct, office, year, count);
        return last.Single();
    }

    /// <summary>
    /// Names the transaction's number in the unit of work itself (a CALL returns no result set to Marten's batch), so the
    /// claim commits or rolls back with the raise's events.
    /// </summary>
    public static void Claim(IDocumentSession session, string office, int year, int number) =>
        session.QueueSqlCommand($"call {session.DocumentStore.Options.DatabaseSchemaName}.tl_ticket_number_claim(?, ?, ?)", office, year, number);

    /// <summary>Numbers count per business year: the office's local year of the raise's business time.</summary>
    public static int YearOf(TicketRaised raised, Office office) => office.LocalDate(raised.OccurredAt).Year;

    public static string Format(int year, int sequence) => $"{year:D4}-{sequence:D4}";
}
