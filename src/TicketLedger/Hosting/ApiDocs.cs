using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.OpenApi;

namespace TicketLedger.Hosting;

/// <summary>
/// The OpenAPI document and the Swagger UI over it. The document declares how to present a key (X-Api-Key or bearer),
/// which gives the UI its Authorize button; the UI itself opens without a key so a reader can enter one.
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
                    Description = "The API key of a caller (see README.md, 'Roles and keys').",
                };
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer",
                    Description = "The same API key as 'Authorization: Bearer <key>'.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any()) return;

                // Either scheme will do: two requirements, not one requirement naming both.
                operation.Security = [Requirement(ApiKeyScheme, context.Document), Requirement(BearerScheme, context.Document)];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key, or an unknown one" });
                if (await RefusesSomeRoleAsync(metadata, context.ApplicationServices))
                    operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key's role may not do this" });
                if (metadata.OfType<Wolverine.Http.HttpChain>().Any() && !metadata.OfType<Wolverine.Http.NotTenantedAttribute>().Any())
                    DocumentOffice(operation);
            });
        });
        return builder;
    }

    /// <summary>The office header of docs/offices.md, on every route that acts in an office.</summary>
    private static void DocumentOffice(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = CurrentOffice.Header, In = ParameterLocation.Header, Required = false,
            Description = "The office to act in, for a key that may use several (docs/offices.md); a key bound to one office needs none.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("400", new OpenApiResponse { Description = "Invalid input, or no X-Office from a key that may use several offices" });
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key's role may not do this, or X-Office names an office the key may not use" });
    }

    /// <summary>A 403 is possible only where the endpoint's policies leave out a role (a ticket read admits every role).</summary>
    private static async Task<bool> RefusesSomeRoleAsync(IList<object> metadata, IServiceProvider services)
    {
        var policies = services.GetRequiredService<IAuthorizationPolicyProvider>();
        foreach (var data in metadata.OfType<IAuthorizeData>())
        {
            if (data.Roles is not null) return true;
            if (data.Policy is null || await policies.GetPolicyAsync(data.Policy) is not { } policy) continue;
            foreach (var roles in policy.Requirements.OfType<RolesAuthorizationRequirement>())
                if (Roles.All.Any(role => !roles.AllowedRoles.Contains(role))) return true;
        }
        return false;
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    public static void MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        // An endpoint of its own rather than bare middleware, so that it can be anonymous: the fallback policy requires a
        // key for everything that does not say otherwise, and a browser has no way to send one for the page itself.
        var ui = ((IEndpointRouteBuilder)app).CreateApplicationBuilder().UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.SwaggerEndpoint(DocumentPath, "TicketLedger v1");
            ui.DocumentTitle = "TicketLedger API";
        }).Build();
        app.Map("/docs/{**asset}", ui).AllowAnonymous().ExcludeFromDescription();
    }
}
