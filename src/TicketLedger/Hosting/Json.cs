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
        options.Converters.Add(new TextWithoutNul());
        options.MaxDepth = 32;
    }

    /// <summary>
    /// PostgreSQL's jsonb cannot hold the NUL character, so a "\u0000" anywhere in a request would fail the append with a
    /// 500; refusing it while reading the body makes it the 400 it is, for every field of every command at once.
    /// </summary>
    private sealed class TextWithoutNul : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            return text is not null && text.Contains('\0') ? throw new JsonException("Text may not contain the NUL character (\\u0000).") : text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
