using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace TicketLedger.Hosting;

/// <summary>Every error path answers RFC 9457 problem details, never a bare status or a stack trace.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static ProblemDetails Create(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };

    public static ProblemDetails Conflict(string detail) => Create(409, "Conflict", detail);

    public static ProblemDetails NotFound(string detail) => Create(404, "Not Found", detail);

    public static ProblemDetails BadRequest(string detail) => Create(400, "Bad Request", detail);

    public static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Create(status, title, detail), (System.Text.Json.JsonSerializerOptions?)null, ContentType);
    }

    public static WebApplicationBuilder AddProblems(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
            // The request carries the id (the correlation middleware put it there); the response headers may have been cleared by an exception.
            if (context.HttpContext.Request.Headers.TryGetValue(Correlation.Header, out var correlationId))
            {
                context.ProblemDetails.Extensions["correlationId"] = correlationId.ToString();
                context.HttpContext.Response.Headers[Correlation.Header] = correlationId;
            }
        });
        builder.Services.AddExceptionHandler<ExceptionProblems>();
        return builder;
    }

    public static void UseProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodySizeLimit(app.Configuration.GetValue(Settings.MaxRequestBodyBytes, 64 * 1024));
    }

    /// <summary>
    /// Commands are small JSON documents; a large body is refused with 413 before anything reads it. Kestrel enforces the
    /// same limit on bodies without a Content-Length.
    /// </summary>
    private static void UseBodySizeLimit(this WebApplication app, long limit) => app.Use((context, next) =>
    {
        if (context.Request.ContentLength > limit)
            return Write(context, StatusCodes.Status413PayloadTooLarge, "Payload Too Large", $"Request bodies are limited to {limit} bytes.");
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        return next(context);
    });
}

/// <summary>
/// Exceptions that reach the pipeline as problem details. Kestrel and the JSON reader signal bad input by exceptions: the
/// client's fault, logged at debug without a trace. A database outage is a 503 the client may retry. Anything else is a
/// 500. Every 5xx is logged here, once, at error, with its correlation id; the exception handler middleware logs nothing
/// itself for an exception a handler took (ASP.NET Core 10).
/// </summary>
public sealed class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == 413 ? "Payload Too Large" : "Bad Request", bad.Message),
            System.Text.Json.JsonException json => (400, "Bad Request", "The request body is not valid JSON: " + json.Message),
            FluentValidation.ValidationException validation => (400, "Bad Request", validation.Message),
            // A unique document (a credit code's claim) inserted by a concurrent request first; the checks before it passed.
            JasperFx.DocumentAlreadyExistsException => (409, "Conflict", "A concurrent request registered the same thing first; read it and retry if needed."),
            // A change decided on a version of its stream that another change moved on from before it committed.
            JasperFx.ConcurrencyException => (409, "Conflict", "A concurrency conflict: another change of the same ticket committed first. Read it again and retry if the command still applies."),
            _ when DatabaseOutage.Explains(exception) => (503, "Service Unavailable", "The database cannot be reached. Retry shortly, a command with the same Idempotency-Key."),
            _ when CommandRetries.Explains(exception) => (503, "Service Unavailable",
                $"The command lost {CommandRetries.Attempts} races for the same rows in a row and committed nothing. Retry shortly, with the same Idempotency-Key."),
            _ => (500, "Internal Server Error", "An unexpected error occurred. Quote the correlation id when reporting it."),
        };
        var correlationId = context.Request.Headers[Correlation.Header].ToString();
        if (status >= 500)
            logger.LogError(exception, "{Method} {Path} answered {Status} (correlation id {CorrelationId})",
                context.Request.Method, context.Request.Path, status, correlationId);
        else
            logger.LogDebug("{Method} {Path} answered {Status}: {Reason} (correlation id {CorrelationId})",
                context.Request.Method, context.Request.Path, status, exception.Message, correlationId);

        context.Response.StatusCode = status;
        if (status == 503) context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString();
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = Problems.Create(status, title, detail),
        });
    }
}
