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
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.SwaggerEndpoint(DocumentPath, "TicketLedger v1");
            ui.DocumentTitle = "TicketLedger API";
        });
    }
}
