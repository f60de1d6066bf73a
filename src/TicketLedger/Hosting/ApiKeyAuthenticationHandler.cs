using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TicketLedger.Hosting;

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyRegistry keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string BureauClaim = "bureau";
    public const string OfficeClaim = "office";
    public const string OfficesClaim = "offices";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        var entry = keys.Find(presented);
        if (entry is null) return Task.FromResult(AuthenticateResult.Fail("Unknown API key"));

        var claims = new List<Claim> { new(ClaimTypes.Name, entry.Name), new(ClaimTypes.Role, entry.Role) };
        if (entry.Bureau is not null) claims.Add(new Claim(BureauClaim, entry.Bureau));
        if (entry.Office is { Length: > 0 } office) claims.Add(new Claim(OfficeClaim, office.Trim()));
        else if (entry.Offices is { Length: > 0 } offices) claims.Add(new Claim(OfficesClaim, offices.Trim()));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue("X-Api-Key", out var apiKey) && !string.IsNullOrWhiteSpace(apiKey)) return apiKey.ToString().Trim();
        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = PresentedKey() is null
            ? "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'."
            : "The API key is not known.";
        return Problems.Write(Context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, "Forbidden",
            $"The role '{Context.User.FindFirstValue(ClaimTypes.Role)}' may not do this.");
}
