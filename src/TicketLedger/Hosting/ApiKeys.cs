using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TicketLedger.Hosting;

public static class Roles
{
    public const string Staff = "staff";
    public const string Auditor = "auditor";
    public const string Bureau = "bureau";
    public const string Admin = "admin";
    public static readonly string[] All = [Staff, Auditor, Bureau, Admin];
}

/// <summary>Authorization policies named after what a caller may do (README.md, "Roles and keys").</summary>
public static class Policies
{
    public const string Write = "write";
    public const string Read = "read";
    /// <summary>Tickets are read by every role; a bureau key sees only the tickets escalated to its bureau (Tickets/TicketAccess).</summary>
    public const string ReadTickets = "read-tickets";
    public const string BureauWrite = "bureau-write";
    public const string Refer = "refer";
    public const string Audit = "audit";
    public const string Admin = "admin";
}

public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string KeySha256 { get; set; } = "";
    public string? Bureau { get; set; }
}

public sealed class AuthOptions
{
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];
}

/// <summary>The configured keys, indexed by the SHA-256 of the key; the keys themselves are never held.</summary>
public sealed class ApiKeyRegistry
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ApiKeyEntry> _byHash = new(StringComparer.Ordinal);

    public ApiKeyRegistry(IOptions<AuthOptions> options)
    {
        var problems = new List<string>();
        foreach (var (entry, index) in options.Value.ApiKeys.Select((e, i) => (e, i)))
        {
            if (string.IsNullOrWhiteSpace(entry.Name)) problems.Add($"Auth:ApiKeys:{index}:Name is empty");
            if (!Roles.All.Contains(entry.Role)) problems.Add($"Auth:ApiKeys:{index}:Role '{entry.Role}' is not one of {string.Join(", ", Roles.All)}");
            if (entry.Role == Roles.Bureau && string.IsNullOrWhiteSpace(entry.Bureau)) problems.Add($"Auth:ApiKeys:{index}:Bureau is required for a bureau key");
            var hash = entry.KeySha256.Trim().ToLowerInvariant();
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit)) problems.Add($"Auth:ApiKeys:{index}:KeySha256 is not a 64-character hex SHA-256");
            else if (!_byHash.TryAdd(hash, entry)) problems.Add($"Auth:ApiKeys:{index} repeats a key configured before it");
        }
        if (problems.Count > 0) throw new InvalidOperationException("Invalid API key configuration: " + string.Join("; ", problems));
    }

    public int Count => _byHash.Count;

    public ApiKeyEntry? Find(string presentedKey) => _byHash.GetValueOrDefault(Hash(presentedKey));

    /// <summary>A random key known only to this process (for seeding through the API); it dies with the process.</summary>
    public string IssueInternalKey(string name, string role)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _byHash[Hash(key)] = new ApiKeyEntry { Name = name, Role = role };
        return key;
    }

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
}

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyRegistry keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string BureauClaim = "bureau";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        var entry = keys.Find(presented);
        if (entry is null) return Task.FromResult(AuthenticateResult.Fail("Unknown API key"));

        var claims = new List<Claim> { new(ClaimTypes.Name, entry.Name), new(ClaimTypes.Role, entry.Role) };
        if (entry.Bureau is not null) claims.Add(new Claim(BureauClaim, entry.Bureau));
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

public static class ApiKeyHosting
{
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection(Settings.AuthSection));
        builder.Services.AddSingleton<ApiKeyRegistry>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Write, p => p.RequireRole(Roles.Staff, Roles.Admin))
            .AddPolicy(Policies.Read, p => p.RequireRole(Roles.Staff, Roles.Auditor, Roles.Admin))
            .AddPolicy(Policies.ReadTickets, p => p.RequireRole(Roles.Staff, Roles.Auditor, Roles.Admin, Roles.Bureau))
            .AddPolicy(Policies.BureauWrite, p => p.RequireRole(Roles.Bureau, Roles.Staff, Roles.Admin))
            .AddPolicy(Policies.Refer, p => p.RequireRole(Roles.Bureau).RequireClaim(ApiKeyAuthenticationHandler.BureauClaim))
            .AddPolicy(Policies.Audit, p => p.RequireRole(Roles.Auditor, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        return builder;
    }

    /// <summary>Outside Development a service with no key would either be open or useless: refuse to start.</summary>
    public static void RequireKeysOutsideDevelopment(this WebApplication app)
    {
        var registry = app.Services.GetRequiredService<ApiKeyRegistry>();
        if (registry.Count == 0 && !app.Environment.IsDevelopment())
            throw new InvalidOperationException(
                "No API key is configured. Set Auth:ApiKeys:0:Name, Auth:ApiKeys:0:Role and Auth:ApiKeys:0:KeySha256 " +
                "(e.g. the environment variables Auth__ApiKeys__0__Name, ...). See README.md, 'Roles and keys'.");
    }
}
