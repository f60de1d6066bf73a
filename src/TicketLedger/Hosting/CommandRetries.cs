using Npgsql;
using Wolverine;
using Wolverine.ErrorHandling;

namespace TicketLedger.Hosting;

/// <summary>
/// A command whose transaction PostgreSQL rolled back for a race it did not cause, committing nothing, runs again from
/// its first step: a serialization failure (a raise whose ticket number was not the next at its commit,
/// docs/ticket-lifecycle.md, "Numbers") or a deadlock's victim. The client sees one answer; only after
/// <see cref="Attempts"/> losses does the error reach it. Over HTTP the whole request runs again, idempotency claim
/// included; a message handler is run again by Wolverine.
/// </summary>
public static class CommandRetries
{
    public const int Attempts = 4;

    public static bool Explains(Exception exception) => DatabaseOutage.Chain(exception).Any(e =>
        e is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected });

    /// <summary>Before the idempotency claim, so that every attempt claims its key in its own transaction.</summary>
    public static void UseCommandRetries(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await next(context);
            return;
        }
        context.Request.EnableBuffering();
        var headers = context.Response.Headers.ToDictionary(h => h.Key, h => h.Value);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await next(context);
                return;
            }
            catch (Exception e) when (attempt < Attempts && !context.Response.HasStarted && Explains(e))
            {
                context.Request.Body.Position = 0;
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.Headers.Clear();
                foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            }
        }
    });

    public static void RetryLostRaces(this WolverineOptions opts) =>
        opts.OnException(Explains).RetryTimes(Attempts - 1);
}
