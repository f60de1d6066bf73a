using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace TicketLedger.Hosting;

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
