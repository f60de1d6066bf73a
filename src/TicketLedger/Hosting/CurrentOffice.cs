using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Http.Runtime.MultiTenancy;

namespace TicketLedger.Hosting;

/// <summary>
/// The office a request acts in (docs/offices.md): the key's office when the key is bound to one, otherwise the
/// `X-Office` header, which must name an office the key may use. It is decided once, after authentication, and is the
/// Marten tenant of every session the request opens; there is no default to fall back to in a district.
/// </summary>
public sealed class CurrentOffice(IHttpContextAccessor http, Offices offices)
{
    public const string Header = "X-Office";
    private static readonly object Key = new();

    /// <summary>
    /// The request's office; outside a request (a message handler, a command) only a single-office deployment has an
    /// implicit one, and a district must name its office explicitly.
    /// </summary>
    public Office Value => Of(http.HttpContext) ?? Entered.Value ?? offices.Sole
        ?? throw new InvalidOperationException("This deployment has several offices and none was chosen for this work.");

    private static readonly AsyncLocal<Office?> Entered = new();

    /// <summary>Work outside a request (a bureau's message) names its office for everything it calls until disposed.</summary>
    public static IDisposable Enter(Office office)
    {
        var outer = Entered.Value;
        Entered.Value = office;
        return new Exit(() => Entered.Value = outer);
    }

    private sealed class Exit(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }

    public static Office? Of(HttpContext? context) => context?.Items[Key] as Office;

    internal static void Set(HttpContext context, Office office) => context.Items[Key] = office;

    /// <summary>The offices a caller's key may act in: its bound office, its list, or, in a single-office deployment, the one.</summary>
    public static IReadOnlyList<Office> AllowedFor(ClaimsPrincipal user, Offices offices)
    {
        if (user.FindFirstValue(ApiKeyAuthenticationHandler.OfficeClaim) is { } bound)
            return offices.Find(bound) is { } office ? [office] : [];
        if (user.FindFirstValue(ApiKeyAuthenticationHandler.OfficesClaim) is { } listed)
            return listed == "*" ? offices.All : OfficeList.Parse(listed).Select(offices.Find).OfType<Office>().ToList();
        return offices.AreSeveral ? [] : offices.All;
    }
}

/// <summary>Wolverine's view of the request's office: the tenant id its Marten sessions open with.</summary>
public sealed class OfficeTenantDetection : ITenantDetection
{
    public ValueTask<string?> DetectTenant(HttpContext context) => ValueTask.FromResult(CurrentOffice.Of(context)?.Code);
}

public static class OfficeRequests
{
    /// <summary>
    /// After authorization, so an unknown key is a 401 and a role that may not act a 403 before any office question.
    /// An office the key may not use is 403 wherever it is named; a missing one is 400 only on the routes that act in an
    /// office (every Wolverine endpoint not marked <see cref="NotTenantedAttribute"/>).
    /// </summary>
    public static void UseOffices(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var offices = context.RequestServices.GetRequiredService<Offices>();
            var allowed = CurrentOffice.AllowedFor(context.User, offices);
            var named = context.Request.Headers[CurrentOffice.Header].ToString().Trim();
            if (named.Length > 0)
            {
                var office = allowed.FirstOrDefault(o => o.Code == named);
                if (office is null)
                {
                    await Problems.Write(context, StatusCodes.Status403Forbidden, "Forbidden",
                        $"{CurrentOffice.Header} '{named}' is not an office this key may use ({string.Join(", ", allowed.Select(o => o.Code))}).");
                    return;
                }
                CurrentOffice.Set(context, office);
            }
            else if (allowed.Count == 1)
            {
                CurrentOffice.Set(context, allowed[0]);
            }
            else if (ActsInAnOffice(context))
            {
                await Problems.Write(context, StatusCodes.Status400BadRequest, "Bad Request",
                    $"Name the office in the {CurrentOffice.Header} header: this key may use {string.Join(", ", allowed.Select(o => o.Code))}.");
                return;
            }
        }
        await next(context);
    });

    /// <summary>
    /// For the routes outside any office that hand out what every office recorded (the log's export, the dead letters):
    /// a key bound to some offices would read the others' data there, so only a key that may use them all gets it.
    /// </summary>
    public static ProblemDetails EveryOffice(ClaimsPrincipal user, Offices offices, string what) =>
        CurrentOffice.AllowedFor(user, offices).Count == offices.All.Count
            ? WolverineContinue.NoProblems
            : Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                $"{what} holds every office's data; it needs a key that may use every office (Offices: *).");

    private static bool ActsInAnOffice(HttpContext context) =>
        context.GetEndpoint()?.Metadata is { } metadata
        && metadata.GetMetadata<HttpChain>() is not null
        && metadata.GetMetadata<NotTenantedAttribute>() is null;
}

public static class OfficeList
{
    /// <summary>Each office once, however often the list names it: a district read covers an office once.</summary>
    public static IEnumerable<string> Parse(string listed) =>
        listed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal);
}
