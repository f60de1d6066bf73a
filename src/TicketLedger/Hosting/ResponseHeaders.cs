using Microsoft.Net.Http.Headers;

namespace TicketLedger.Hosting;

/// <summary>
/// Headers every response carries: no MIME sniffing, no caching of API answers (they hold contacts' names and phones),
/// and no Server header naming the web server to a scanner.
/// </summary>
public static class ResponseHeaders
{
    public static WebApplicationBuilder AddResponseHeaders(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>Set as the response starts: the exception handler clears headers set before it.</summary>
    public static void UseResponseHeaders(this WebApplication app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                headers.CacheControl = "no-store";
                headers.Remove(HeaderNames.Pragma);
                headers.Remove(HeaderNames.Expires);
            }
            return Task.CompletedTask;
        });
        return next(context);
    });
}
