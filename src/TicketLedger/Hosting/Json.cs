using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketLedger.Hosting;

public static class Json
{
    public static WebApplicationBuilder AddJson(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options => Configure(options.SerializerOptions));
        return builder;
    }

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.MaxDepth = 32;
    }
}
