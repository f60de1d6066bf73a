namespace TicketLedger.Hosting;

/// <summary>
/// Every request carries a correlation id: the caller's X-Correlation-ID when it is sane, otherwise a new one.
/// Wolverine reads the same header and stamps it on every event appended by the request.
/// </summary>
public static class Correlation
{
    public const string Header = "X-Correlation-ID";

    public static void UseCorrelationIds(this WebApplication app) => app.Use((context, next) =>
    {
        var incoming = context.Request.Headers[Header].ToString();
        var id = IsSane(incoming) ? incoming : Guid.NewGuid().ToString("N");
        context.Request.Headers[Header] = id;
        context.Response.Headers[Header] = id;
        return next(context);
    });

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
