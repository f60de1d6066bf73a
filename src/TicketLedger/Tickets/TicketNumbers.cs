using Marten;
using Npgsql;
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

    /// <summary>Numbers a group of raises wants from one counter row.</summary>
    public sealed record Wanted(string Office, int Year, int Count);

    /// <summary>
    /// Moves each counter row on by the count wanted of it, in the order given, and returns the last number taken of
    /// each. A row held by another transaction is waited for; the rows stay locked to the commit, so the numbers commit
    /// or roll back with the appends that carry them, and a raise numbered from a row by anyone else waits for that
    /// outcome (a group of raises, <see cref="TicketGroupCommit"/>).
    /// </summary>
    public static async Task<Dictionary<(string Office, int Year), int>> TakeAsync(IDocumentSession session, IEnumerable<Wanted> wanted, CancellationToken ct)
    {
        var table = $"{session.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
        var lastTaken = new Dictionary<(string, int), int>();
        foreach (var row in wanted)
        {
            var last = await session.AdvancedSql.QueryAsync<int>(
                $"insert into {table} as t (office, year, last) values (?, ?, ?) on conflict (office, year) do update set last = t.last + excluded.last returning t.last",
                ct, row.Office, row.Year, row.Count);
            lastTaken[(row.Office, row.Year)] = last.Single();
        }
        return lastTaken;
    }

    /// <summary>
    /// Like <see cref="TakeAsync"/> in one statement, but only from the rows no other transaction holds: a held row, or
    /// one that does not exist yet, is left out of the answer, and its raises are numbered by a group that waits for it.
    /// </summary>
    public static async Task<Dictionary<(string Office, int Year), int>> TakeUnheldAsync(IDocumentSession session, IReadOnlyCollection<Wanted> wanted, CancellationToken ct)
    {
        var table = $"{session.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
        await using var command = new NpgsqlCommand($"""
            with wanted as (select * from unnest(@offices, @years, @counts) as w(office, year, n)),
            unheld as (
                select t.office, t.year from {table} t join wanted w on (t.office, t.year) = (w.office, w.year)
                order by t.office, t.year for update of t skip locked)
            update {table} t set last = t.last + w.n
            from wanted w join unheld u on (u.office, u.year) = (w.office, w.year)
            where (t.office, t.year) = (w.office, w.year)
            returning t.office, t.year, t.last
            """, session.Connection);
        command.Parameters.AddWithValue("offices", wanted.Select(w => w.Office).ToArray());
        command.Parameters.AddWithValue("years", wanted.Select(w => w.Year).ToArray());
        command.Parameters.AddWithValue("counts", wanted.Select(w => w.Count).ToArray());
        var lastTaken = new Dictionary<(string, int), int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) lastTaken[(reader.GetString(0), reader.GetInt32(1))] = reader.GetInt32(2);
        return lastTaken;
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
