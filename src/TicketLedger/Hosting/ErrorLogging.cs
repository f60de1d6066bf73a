using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace TicketLedger.Hosting;

/// <summary>
/// Client errors are logged at debug without a trace, server faults at error once (by <see cref="ExceptionProblems"/>,
/// with the correlation id). Two libraries log below that on their own, at error with a stack trace, for every malformed
/// body and every expected 409; they are turned down here.
/// </summary>
public static class ErrorLogging
{
    public static WebApplicationBuilder AddErrorLogging(this WebApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(UnreadableBodyAwareLogger<>)));
        builder.Services.ConfigureMarten((services, options) =>
            options.Logger(new StoreCommandLogger(services.GetRequiredService<ILogger<StoreCommandLogger>>())));
        return builder;
    }
}

/// <summary>
/// Wolverine.Http answers a body it cannot deserialize with a 400 problem and logs it at error, with the stack trace,
/// under the request type's name (there is no option for the level). This typed logger passes everything through except
/// that one message, which it writes at debug with the reader's message instead of the trace.
/// </summary>
public sealed class UnreadableBodyAwareLogger<T>(ILoggerFactory factory) : ILogger<T>
{
    private const string WolverineTemplate = "Error trying to deserialize JSON from incoming HTTP body at {Url} to type {Type}";
    private readonly ILogger _inner = factory.CreateLogger<T>();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is System.Text.Json.JsonException json && IsUnreadableBody(state))
            _inner.Log(LogLevel.Debug, eventId, state, null, (s, _) => $"{formatter(s, null)}: {json.Message}");
        else
            _inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private static bool IsUnreadableBody<TState>(TState state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(v => v.Key == "{OriginalFormat}" && Equals(v.Value, WolverineTemplate));
}

/// <summary>
/// Marten's own logger writes every failed command at error with its stack trace, although the exception goes on to
/// whoever called: an optimistic concurrency conflict becomes a 409, an outage a 503 logged once. Here a failure is a
/// debug line; schema changes stay at information.
/// </summary>
public sealed class StoreCommandLogger(ILogger<StoreCommandLogger> logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Executed schema update SQL:\n{Sql}", sql);

    public void LogSuccess(NpgsqlCommand command) { }

    public void LogSuccess(NpgsqlBatch batch) { }

    public void LogFailure(NpgsqlCommand command, Exception ex) => Failed(ex);

    public void LogFailure(NpgsqlBatch batch, Exception ex) => Failed(ex);

    public void LogFailure(Exception ex, string message) => Failed(ex);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }

    public void OnBeforeExecute(NpgsqlCommand command) { }

    public void OnBeforeExecute(NpgsqlBatch batch) { }

    private void Failed(Exception exception) =>
        logger.LogDebug("A database command failed ({Exception}: {Message}); the caller handles it", exception.GetType().Name, exception.Message);
}
