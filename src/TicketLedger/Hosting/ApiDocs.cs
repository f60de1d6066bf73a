namespace TicketLedger.Hosting;

public static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";

    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        return builder;
    }

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
