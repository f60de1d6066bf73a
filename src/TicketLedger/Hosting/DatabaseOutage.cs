using Npgsql;

namespace TicketLedger.Hosting;

/// <summary>
/// Whether an exception means PostgreSQL cannot be reached or is going away (a restart, a failover, a full pool), rather
/// than a fault in a statement: the request did not run and may be retried, which is a 503, not a 500. Marten and
/// Wolverine wrap the driver's exception, so the whole chain of inner exceptions is searched.
/// </summary>
public static class DatabaseOutage
{
    public const int RetryAfterSeconds = 5;

    public static bool Explains(Exception exception) => Chain(exception).Any(IsOutage);

    private static bool IsOutage(Exception exception) => exception switch
    {
        // Class 08: connection exceptions; 57P01-57P03: admin or crash shutdown, cannot connect now; 53300: too many connections.
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        // Not a server error: connection refused or broken, a timeout, an exhausted pool.
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    internal static IEnumerable<Exception> Chain(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : [.. Inner(exception)];
        foreach (var child in inner)
        foreach (var descendant in Chain(child))
            yield return descendant;
    }

    private static IEnumerable<Exception> Inner(Exception exception)
    {
        if (exception.InnerException is { } inner) yield return inner;
    }
}
