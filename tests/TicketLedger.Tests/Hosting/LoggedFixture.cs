using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace TicketLedger.Tests.Hosting;

/// <summary>A host whose log entries are captured, the application's own down to debug.</summary>
public sealed class LoggedFixture : AppFixture
{
    public CapturedLogs Logs { get; } = new();

    protected override string DatabaseName => "tl_logs";

    protected override void Configure(IWebHostBuilder builder) => builder.ConfigureLogging(logging =>
    {
        logging.AddProvider(Logs);
        logging.AddFilter<CapturedLogs>("TicketLedger", LogLevel.Debug);
    });

    /// <summary>What was logged while <paramref name="action"/> ran.</summary>
    public async Task<IReadOnlyList<LogEntry>> LoggedDuring(Func<Task> action)
    {
        var before = Logs.Entries.Count;
        await action();
        return Logs.Entries.Skip(before).ToList();
    }
}

public static class ExceptionChain
{
    public static bool Involves<T>(this Exception? exception, Func<T, bool>? matching = null) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is T found && (matching is null || matching(found))) return true;
        return false;
    }
}

[CollectionDefinition(Name)]
public sealed class LoggedCollection : ICollectionFixture<LoggedFixture>
{
    public const string Name = "logged";
}
