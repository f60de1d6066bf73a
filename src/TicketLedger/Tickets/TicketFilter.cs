using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Security.Claims;
using Marten;
using Marten.Storage;
using Npgsql;
using TicketLedger.Hosting;

namespace TicketLedger.Tickets;

public sealed record TicketPage(IReadOnlyList<TicketResponse> Items, int Page, int PageSize, long Total);

/// <summary>
/// What a ticket list asks for (status, category, department, subject, overdue, page), parsed by the one query-string
/// convention, and how it reads a page: an office's list and the district's list filter and page the same way.
/// </summary>
public sealed partial record TicketFilter(
    TicketStatus? Status, string? Category, string? Department, Guid? SubjectId, bool? Overdue, int Page, int PageSize)
{
    public static TicketFilter From(
        QueryValues query, string? status, string? category, string? department, string? subjectId, string? overdue, string? page, string? pageSize)
    {
        var byStatus = query.Enum<TicketStatus>("status", status);
        var bySubject = query.Id("subjectId", subjectId);
        var byOverdue = query.Boolean("overdue", overdue);
        var (pageNumber, size) = query.Paging(page, pageSize);
        return new TicketFilter(byStatus, QueryValues.Text(category), QueryValues.Text(department), bySubject, byOverdue, pageNumber, size);
    }

    /// <summary>The filters, and a bureau key's confinement to the tickets escalated to its bureau.</summary>
    public IQueryable<Ticket> Apply(IQueryable<Ticket> tickets, ClaimsPrincipal user, DateTimeOffset now)
    {
        if (TicketAccess.ConfinedToBureau(user) is { } bureau) tickets = tickets.Where(t => t.Bureau == bureau);
        if (Status is { } s) tickets = tickets.Where(t => t.Status == s);
        if (Category is { } category) tickets = tickets.Where(t => t.Category == category);
        if (Department is { } department) tickets = tickets.Where(t => t.Department == department);
        if (SubjectId is { } subject) tickets = tickets.Where(t => t.SubjectId == subject);
        if (Overdue == true) tickets = tickets.Where(t => t.RespondedLate || (t.RespondedAt == null && t.DueBy < now));
        if (Overdue == false) tickets = tickets.Where(t => !t.RespondedLate && (t.RespondedAt != null || t.DueBy >= now));
        return tickets;
    }

    /// <summary>One office's tickets to list, filtered, and the session of that office they are read in.</summary>
    public sealed record Source(IQuerySession Session, IQueryable<Ticket> Tickets)
    {
        public async Task<IReadOnlyList<Ticket>> Load(IReadOnlyList<Guid> ids, CancellationToken ct) => await Session.LoadManyAsync<Ticket>(ct, ids);
    }

    /// <summary>The page of one office's tickets, newest first, and how many match.</summary>
    public Task<(IReadOnlyList<Ticket> Page, long Total)> Read(IQuerySession session, IQueryable<Ticket> tickets, CancellationToken ct) =>
        Read([new Source(session, tickets)], ct);

    /// <summary>
    /// The page across offices, the same as if every ticket were in one table. The keys of the offices of one database
    /// are read by one statement, a <c>union all</c> of each office's filtered tickets, which PostgreSQL merges from each
    /// office's ordered index, and counted by another; offices in several databases each give their first <c>Page × PageSize</c> keys, merged here.
    /// One office reads only the page's ids.
    /// </summary>
    public async Task<(IReadOnlyList<Ticket> Page, long Total)> Read(IReadOnlyList<Source> sources, CancellationToken ct)
    {
        if (sources.Count == 1) return await ReadOneAsync(sources[0], ct);
        var databases = sources.GroupBy(source => source.Session.Database.Id).Select(database => database.ToList()).ToList();
        var skip = (Page - 1) * PageSize;
        var skippedInDatabase = databases.Count == 1 ? skip : 0;
        // Each database has connections of its own, so they are read side by side: a district's list costs the slowest
        // database's round trips, not their sum.
        var opening = databases.Select(database => OpenAsync(database, skippedInDatabase, ct)).ToList();
        KeyStream[] streams;
        try
        {
            streams = await Task.WhenAll(opening);
        }
        catch
        {
            // The databases that answered hold a connection each until their reader is disposed.
            await DisposeAllAsync(opening.Where(o => o.IsCompletedSuccessfully).Select(o => o.Result));
            throw;
        }
        List<Key> page;
        try
        {
            page = await MergeAsync(streams, skip: skip - skippedInDatabase);
        }
        finally
        {
            // Before the views are loaded: each database's keys hold a connection until their reader is disposed.
            await DisposeAllAsync(streams);
        }
        var loaded = await Task.WhenAll(page.GroupBy(k => k.Source).Select(group => group.Key.Load(group.Select(k => k.Id).ToList(), ct)));
        var views = loaded.SelectMany(v => v).ToDictionary(v => v.Id);
        return (page.Where(k => views.ContainsKey(k.Id)).Select(k => views[k.Id]).ToList(), streams.Sum(s => s.Count));
    }

    /// <summary>Every stream's connection goes back to its pool, even when disposing another one fails.</summary>
    private static async Task DisposeAllAsync(IEnumerable<KeyStream> streams)
    {
        var failures = new List<Exception>();
        foreach (var stream in streams)
        {
            try
            {
                await stream.Keys.DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0) throw new AggregateException(failures);
    }

    /// <summary>
    /// One office's page: its count, the page's ids, their views. Only the ids: PostgreSQL computes the select list of
    /// every row an OFFSET skips, and the keys selected as JSON cost page 500 about 14 ms for its 9,980 skipped index
    /// entries, the ids alone 1 ms (the benchmark README, "One office's list reads its page's ids").
    /// </summary>
    private async Task<(IReadOnlyList<Ticket> Page, long Total)> ReadOneAsync(Source source, CancellationToken ct)
    {
        var total = await source.Tickets.CountAsync(ct);
        var ids = await InListOrder(source.Tickets).Skip((Page - 1) * PageSize).Take(PageSize).Select(t => t.Id).ToListAsync(ct);
        var views = (await source.Load(ids, ct)).ToDictionary(v => v.Id);
        return (ids.Where(views.ContainsKey).Select(id => views[id]).ToList(), total);
    }

    /// <summary>The list's order, newest first; the number and then the id break ties, so pages never overlap.</summary>
    private static IQueryable<Ticket> InListOrder(IQueryable<Ticket> tickets) =>
        tickets.OrderByDescending(t => t.RaisedAt).ThenByDescending(t => t.Number).ThenByDescending(t => t.Id);

    private sealed record Key(Source Source, Guid Id, DateTimeOffset RaisedAt, string Number);

    private sealed record KeyStream(long Count, IAsyncEnumerator<Key> Keys, bool HasKey);

    private static readonly IComparer<Key> NewestFirst = Comparer<Key>.Create((a, b) =>
    {
        var byTime = b.RaisedAt.CompareTo(a.RaisedAt);
        if (byTime != 0) return byTime;
        var byNumber = string.CompareOrdinal(b.Number, a.Number);
        return byNumber != 0 ? byNumber : b.Id.CompareTo(a.Id);
    });

    /// <summary>
    /// A database's offices: how many of their tickets match, and their keys in the list's order, after
    /// <paramref name="skip"/>, up to the page's end.
    /// </summary>
    private async Task<KeyStream> OpenAsync(IReadOnlyList<Source> offices, int skip, CancellationToken ct)
    {
        var connection = offices[0].Session.Database.CreateConnection(ConnectionUsage.Read);
        try
        {
            await connection.OpenAsync(ct);
            // A separate count: count(*) over() on the page query would read and sort every matching view for each page.
            // A sum of each office's count, from its narrow (tenant, status) index: a count over their union all was
            // planned in parallel workers, ten times slower (44 against 4 ms for 8 offices' 63,000 assigned tickets).
            long count;
            await using (var counting = StatementOf(offices, tickets => tickets, "count(*)", counts => "select " + string.Join(" + ", counts), connection))
                count = (long)(await counting.ExecuteScalarAsync(ct))!;
            // The keys first, the views second: reading past keys costs index entries, not view rows.
            var keys = StatementOf(offices, tickets => InListOrder(tickets).Take(Page * PageSize), "d.id, d.raised_at, d.number, d.tenant_id", ordered =>
                $"select k.id, k.raised_at, k.number, k.tenant_id from ({string.Join(" union all ", ordered)}) as k order by k.raised_at desc, k.number desc, k.id desc " +
                $"limit {Page * PageSize - skip} offset {skip}", connection);
            var stream = KeysOf(offices.ToDictionary(office => office.Session.TenantId), connection, keys, ct).GetAsyncEnumerator(ct);
            return new KeyStream(count, stream, await stream.MoveNextAsync());
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One statement over the offices' filtered tickets: what Marten's LINQ makes of each office's ids (its filters and
    /// tenant, and <paramref name="shape"/>'s order and limit) with <paramref name="columns"/> as its select list, each
    /// in parentheses, combined by <paramref name="statement"/>. For the keys, each office's own order and limit let
    /// PostgreSQL merge their ordered index scans of a <c>union all</c> (Merge Append) and stop at the page's end;
    /// without them it sorted every match of every office, since an office's index is ordered only once its tenant is
    /// fixed (page 1 of 8 offices: 119 ms at the median, benchmark README "A district's list in one statement"). Marten selects a projection as one JSON object per row, which PostgreSQL builds
    /// for every row read (page 500 of 8 offices: 132 ms at the median as JSON, 22 ms as columns; the benchmark
    /// README, "A district's list reads its keys as columns"). Each office's statement names its parameters from
    /// :p0; they are renumbered to follow the offices before them.
    /// </summary>
    private static NpgsqlCommand StatementOf(IReadOnlyList<Source> offices, Func<IQueryable<Ticket>, IQueryable<Ticket>> shape, string columns,
        Func<IReadOnlyList<string>, string> statement, NpgsqlConnection connection)
    {
        const string ids = "select d.id from ";
        var combined = new NpgsqlCommand { Connection = connection };
        var branches = new List<string>();
        foreach (var office in offices)
        {
            using var command = shape(office.Tickets).Select(t => t.Id).ToCommand();
            if (!command.CommandText.StartsWith(ids, StringComparison.Ordinal)
                || command.Parameters.Select((p, i) => p.ParameterName).Where((name, i) => name != $"p{i}").Any())
                throw new InvalidOperationException($"The ticket list expected Marten to select the ids as `{ids}…` with parameters :p0, :p1, …, not: {command.CommandText}");
            var offset = combined.Parameters.Count;
            var referenced = new HashSet<int>();
            var rest = Parameter().Replace(command.CommandText[ids.Length..].TrimEnd().TrimEnd(';'), m =>
            {
                var index = int.Parse(m.Groups[1].Value);
                referenced.Add(index);
                return ":p" + (index + offset);
            });
            // A parameter left unrenamed would bind the first office's value (its tenant) in every office's branch.
            if (referenced.Count != command.Parameters.Count || referenced.Any(i => i >= command.Parameters.Count))
                throw new InvalidOperationException($"The ticket list did not find each of Marten's parameters as :pN in: {command.CommandText}");
            branches.Add($"(select {columns} from {rest})");
            foreach (NpgsqlParameter parameter in command.Parameters)
            {
                var renamed = parameter.Clone();
                renamed.ParameterName = $"p{combined.Parameters.Count}";
                combined.Parameters.Add(renamed);
            }
        }
        combined.CommandText = statement(branches);
        return combined;
    }

    /// <summary>A parameter, not the second colon of a cast (<c>::type</c>).</summary>
    [GeneratedRegex(@"(?<!:):p(\d+)\b")]
    private static partial Regex Parameter();

    private static async IAsyncEnumerable<Key> KeysOf(IReadOnlyDictionary<string, Source> offices, NpgsqlConnection connection, NpgsqlCommand command,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var owned = connection;
        await using var keys = command;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return new Key(offices[reader.GetString(3)], reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2));
    }

    /// <summary>
    /// A merge of the sources' ordered keys, read as it goes: a deep page of a district costs the sources' rows read
    /// past, not all of them held at once (8 offices × 10,000 keys at page 500).
    /// </summary>
    private async Task<List<Key>> MergeAsync(IReadOnlyList<KeyStream> streams, int skip)
    {
        var heads = new PriorityQueue<IAsyncEnumerator<Key>, Key>(NewestFirst);
        foreach (var stream in streams.Where(s => s.HasKey)) heads.Enqueue(stream.Keys, stream.Keys.Current);
        var page = new List<Key>();
        while (heads.TryDequeue(out var keys, out var key))
        {
            if (skip > 0) skip--;
            else page.Add(key);
            if (page.Count == PageSize) break;
            if (await keys.MoveNextAsync()) heads.Enqueue(keys, keys.Current);
        }
        return page;
    }
}
