using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TicketLedger.Tickets;

/// <summary>
/// Ticket numbers `YYYY-NNNN`, counted per office and business year without gaps (docs/ticket-lifecycle.md, "Numbers").
/// The counter row only ever moves inside the transaction that appends the TicketRaised carrying its number, so a raise
/// that rolls back gives its number back. Two ways to move it: <see cref="NextAsync"/> bumps it when the number is
/// taken and holds the row to the commit; <see cref="ReserveAsync"/> and <see cref="SettleAsync"/> take a number the
/// process counted itself and move the row only at the commit, after the raise before it has committed.
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

    /// <summary>Bumps the row and holds it until the transaction ends.</summary>
    public static async Task<int> NextAsync(IDocumentSession session, string office, int year, CancellationToken ct)
    {
        var next = await session.AdvancedSql.QueryAsync<int>(
            $"insert into {Qualified(session)} as n (office, year, last) values (?, ?, 1) " +
            "on conflict (office, year) do update set last = n.last + 1 returning n.last", ct, office, year);
        return next.Single();
    }

    /// <summary>The last number committed, 0 before the year's first.</summary>
    public static async Task<int> LastAsync(IDocumentSession session, string office, int year, CancellationToken ct)
    {
        var last = await session.AdvancedSql.QueryAsync<int>(
            $"select coalesce((select last from {Qualified(session)} where office = ? and year = ?), 0)", ct, office, year);
        return last.Single();
    }

    /// <summary>
    /// Marks <paramref name="number"/> as in flight until the transaction ends: the raise numbered after it waits on
    /// this lock at its commit. Another node holding the same number makes this wait for that node's raise to end.
    /// </summary>
    public static async Task ReserveAsync(IDocumentSession session, string office, int year, int number, CancellationToken ct) =>
        await session.AdvancedSql.QueryAsync<bool>("select true from (select pg_advisory_xact_lock(hashtext(?), ?)) reserved", ct, LockKey(office, year), number);

    /// <summary>
    /// Just before the commit: waits for the transaction of the number before (if it is still running), then moves the
    /// row from that number to this one. False when the row is not at the number before: that raise failed, or another
    /// node took this number; the caller's transaction must not commit.
    /// </summary>
    public static async Task<bool> SettleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, string office, int year,
        int number, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (number > 1)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("select pg_advisory_xact_lock(hashtext($1), $2)")
                { Parameters = { new() { Value = LockKey(office, year) }, new() { Value = number - 1 } } });
        }
        var move = number > 1
            ? new NpgsqlBatchCommand($"update {schema}.{TableName} set last = $3 where office = $1 and year = $2 and last = $3 - 1")
            : new NpgsqlBatchCommand($"insert into {schema}.{TableName} (office, year, last) values ($1, $2, $3) on conflict (office, year) do nothing");
        move.Parameters.Add(new() { Value = office });
        move.Parameters.Add(new() { Value = year });
        move.Parameters.Add(new() { Value = number });
        batch.BatchCommands.Add(move);
        await batch.ExecuteNonQueryAsync(ct);
        return move.RecordsAffected == 1;
    }

    public static string Format(int year, int sequence) => $"{year:D4}-{sequence:D4}";

    private static string LockKey(string office, int year) => $"ticket-number/{office}/{year}";

    private static string Qualified(IQuerySession session) => $"{session.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
}
