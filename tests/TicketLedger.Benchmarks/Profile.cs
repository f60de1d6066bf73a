using System.Text;
using System.Text.RegularExpressions;

namespace TicketLedger.Benchmarks;

/// <summary>
/// Evidence for where time goes, taken from PostgreSQL itself so nothing in the product changes: rows written and
/// transactions committed and WAL flushes per command (pg_stat_*), CPU time per command of the service and of the
/// cluster (/proc), and the plans of slow statements (auto_explain, per database).
/// </summary>
public static partial class Profile
{
    /// <summary>
    /// CPU time is what a command costs whatever else runs on the machine, so it compares runs that throughput on a
    /// shared 2-core machine cannot; WAL flushes are the fsyncs a command waits for (cluster-wide: the other
    /// contenders are idle by then).
    /// </summary>
    public static async Task<string> WritesPerCommandAsync(BenchDatabase db, string database, int servicePid, Func<Task<int>> work,
        string command = "lifecycle command", string? traceName = null)
    {
        // The async projections may still be catching up on the load stages' events: their backlog is not these
        // commands' cost. Table statistics reach the shared counters at most once a second per backend, too.
        await CaughtUpAsync(db, database);
        await Task.Delay(1500);
        // What the service burns with no request in flight: background agents' share of the figures below.
        var name = traceName ?? command.Replace(' ', '-');
        var restTrace = await CpuTrace.StartAsync(servicePid, $"{name}-at-rest");
        var restBefore = CpuTicks(servicePid, children: false);
        await Task.Delay(RestWindow);
        var restCores = (CpuTicks(servicePid, children: false) - restBefore) * TickMs / RestWindow.TotalMilliseconds;
        if (restTrace is not null) await restTrace.DisposeAsync();
        var before = await TableWritesAsync(db, database);
        var commitsBefore = await db.ScalarAsync<long>(database, $"select xact_commit from pg_stat_database where datname = '{database}'");
        var syncsBefore = await db.ScalarAsync<long>(database, "select wal_sync from pg_stat_wal");
        if (BenchDatabase.StatementStatistics)
            await db.ExecuteAsync(database, "create extension if not exists pg_stat_statements; select pg_stat_statements_reset()");
        var trace = await CpuTrace.StartAsync(servicePid, name);
        var (serviceBefore, clusterBefore) = (CpuTicks(servicePid, children: false), ClusterCpuTicks(db.PostmasterPid));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var commands = await work();
        var elapsed = clock.Elapsed;
        var (serviceCpu, clusterCpu) = (CpuTicks(servicePid, children: false) - serviceBefore, ClusterCpuTicks(db.PostmasterPid) - clusterBefore);
        if (trace is not null) await trace.DisposeAsync();
        await Task.Delay(1500);
        var after = await TableWritesAsync(db, database);
        var commits = await db.ScalarAsync<long>(database, $"select xact_commit from pg_stat_database where datname = '{database}'") - commitsBefore;
        var syncs = await db.ScalarAsync<long>(database, "select wal_sync from pg_stat_wal") - syncsBefore;

        var text = new StringBuilder($"Per {command} ({commands} sequential commands, all sessions of the database, the service's background agents included{(trace is null ? "" : "; traced, so service CPU includes the sampling")}):\n\n```\n");
        text.AppendLine($"{"wall time per command (ms, one client)",-45}{elapsed.TotalMilliseconds / commands,8:F2}");
        text.AppendLine($"{"service CPU per command (ms)",-45}{serviceCpu * TickMs / commands,8:F2}");
        text.AppendLine($"{"service CPU at rest before (cores)",-45}{restCores,8:F3}");
        text.AppendLine($"{"PostgreSQL CPU per command (ms, all backends)",-45}{clusterCpu * TickMs / commands,8:F2}");
        text.AppendLine($"{"WAL flushes (fsync) per command",-45}{syncs / (double)commands,8:F2}");
        text.AppendLine($"{"transactions committed (read-only ones too)",-45}{commits / (double)commands,8:F2}");
        foreach (var (table, count) in after.Select(a => (a.Key, a.Value - before.GetValueOrDefault(a.Key))).Where(x => x.Item2 > 0).OrderByDescending(x => x.Item2))
            text.AppendLine($"{"rows written to " + table,-45}{count / (double)commands,8:F2}");
        text.Append("```");
        if (BenchDatabase.StatementStatistics) text.Append("\n\n").Append(await TopStatementsAsync(db, database, commands));
        return text.ToString();
    }

    /// <summary>The statements of the database (any session, triggers' statements included) by execution time per command.</summary>
    public static async Task<string> TopStatementsAsync(BenchDatabase db, string database, int commands, string per = "command")
    {
        var lines = await db.LinesAsync(database, $"""
            select to_char(s.total_exec_time / {commands}, 'FM990.000') || ' ms | ' || to_char(s.calls::numeric / {commands}, 'FM990.00')
                   || ' | ' || to_char(s.mean_exec_time, 'FM990.000') || ' ms | `' || left(replace(regexp_replace(s.query, '\s+', ' ', 'g'), '|', '¦'), 160) || '`'
            from pg_stat_statements s join pg_database d on d.oid = s.dbid
            where d.datname = '{database}' and s.query not like '%pg_stat_statements%'
            order by s.total_exec_time desc limit 15
            """);
        return $"| execution time per {per} | calls per {per} | mean | statement |\n|---:|---:|---:|---|\n"
               + string.Join("\n", lines.Select(l => "| " + l.Replace("\n", " ") + " |"));
    }

    private static readonly TimeSpan RestWindow = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Until the async projections, the audit seal and the transparency log have reached the last event: what a window
    /// measures is then the load it sends, not the catch-up the window before it left behind. False if they had not
    /// after two minutes.
    /// </summary>
    public static async Task<bool> CaughtUpAsync(BenchDatabase db, string database)
    {
        var until = DateTime.UtcNow.AddSeconds(120);
        while (await db.ScalarAsync<long>(database, """
                   with head as (select coalesce(max(seq_id), 0) as seq from ticketledger.mt_events where type <> 'tombstone')
                   select (select count(*) from ticketledger.mt_event_progression p, head where p.name <> 'HighWaterMark' and p.last_seq_id < head.seq)
                        + (select count(*) from head where coalesce((select max(seq_id) from ticketledger.tl_audit_seal), 0) < head.seq)
                        + (select count(*) from head where coalesce((select max(seq_id) from ticketledger.tl_log_leaf), 0) < head.seq)
                   """) > 0)
        {
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(500);
        }
        return true;
    }

    /// <summary>USER_HZ: /proc reports CPU time in hundredths of a second on Linux.</summary>
    public const double TickMs = 10;

    /// <summary>utime + stime of a process, plus cutime + cstime (its reaped children) when asked.</summary>
    public static long CpuTicks(int pid, bool children)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from the 3rd on: state is [0], utime is [11]
            return long.Parse(fields[11]) + long.Parse(fields[12]) + (children ? long.Parse(fields[13]) + long.Parse(fields[14]) : 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    /// <summary>The postmaster with its reaped children, plus every live child (backends, walwriter, autovacuum...).</summary>
    public static long ClusterCpuTicks(int postmaster) =>
        CpuTicks(postmaster, children: true) + Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == postmaster)
            .Sum(pid => CpuTicks(pid, children: false));

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return 0; }
    }

    private static async Task<Dictionary<string, long>> TableWritesAsync(BenchDatabase db, string database) =>
        (await db.LinesAsync(database, "select relname || '=' || (n_tup_ins + n_tup_upd + n_tup_del) from pg_stat_user_tables"))
        .Select(l => l.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1]));

    /// <summary>New connections to the database log the plan (with row counts, without timing overhead) of statements slower than the threshold.</summary>
    public static Task EnableSlowPlansAsync(BenchDatabase db, string database, int thresholdMs) => db.ExecuteAsync("postgres", $"""
        alter database {database} set session_preload_libraries = 'auto_explain';
        alter database {database} set auto_explain.log_min_duration = '{thresholdMs}ms';
        alter database {database} set auto_explain.log_analyze = on;
        alter database {database} set auto_explain.log_timing = off;
        alter database {database} set auto_explain.log_buffers = on;
        """);

    /// <summary>The slowest logged plans, one per distinct statement, largest duration first.</summary>
    public static string SlowPlans(string logFile, int take)
    {
        if (!File.Exists(logFile)) return "(no PostgreSQL log)";
        var text = File.ReadAllText(logFile);
        var plans = PlanStart().Matches(text).Select((m, i) => (Match: m, Index: i)).ToList();
        var found = new List<(double Ms, string Query, string Plan)>();
        foreach (var (m, _) in plans)
        {
            var end = text.IndexOf("\n20", m.Index + m.Length, StringComparison.Ordinal); // the next log line starts with a timestamp
            var body = text[(m.Index + m.Length)..(end < 0 ? text.Length : end)];
            var queryAt = body.IndexOf("Query Text:", StringComparison.Ordinal);
            var query = queryAt < 0 ? "" : body[(queryAt + 11)..].Split('\n')[0].Trim();
            found.Add((double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), query, body.TrimEnd()));
        }
        var top = found.GroupBy(f => Normalise(f.Query)).Select(g => (Count: g.Count(), Worst: g.MaxBy(f => f.Ms)))
            .OrderByDescending(g => g.Worst.Ms).Take(take).ToList();
        if (top.Count == 0) return "(no statement over the threshold)";
        var md = new StringBuilder();
        foreach (var (count, worst) in top)
            md.AppendLine($"{worst.Ms:F1} ms (logged {count}×):\n\n```{Trim(worst.Plan)}\n```\n");
        return md.ToString();
    }

    private static string Normalise(string query) => Digits().Replace(query, "#");
    private static string Trim(string plan) => plan.Length > 4000 ? plan[..4000] + "\n…" : plan;

    [GeneratedRegex(@"duration: ([0-9.]+) ms\s+plan:")]
    private static partial Regex PlanStart();

    [GeneratedRegex(@"[0-9]+")]
    private static partial Regex Digits();
}
