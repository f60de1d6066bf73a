namespace TicketLedger.Hosting;

/// <summary>
/// PostgreSQL text cannot hold U+0000, so a NUL that reaches a query parameter fails in the database as a 500. Bodies are
/// refused by the JSON policy; query keys and values are refused here, once, before any endpoint sees them. Paths (and so
/// route values) never get this far: Kestrel answers a NUL in the path with its own 400.
/// </summary>
public static class NulCharacters
{
    public static void RejectNulCharacters(this WebApplication app) => app.Use((context, next) =>
    {
        var hasNul = context.Request.Query.Any(q => HasNul(q.Key) || q.Value.Any(HasNul));
        return hasNul
            ? Problems.Write(context, StatusCodes.Status400BadRequest, "Bad Request", "Query values must not contain the NUL character (U+0000).")
            : next(context);
    });

    private static bool HasNul(string? value) => value?.Contains('\0') == true;
}
