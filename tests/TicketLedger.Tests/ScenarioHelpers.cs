using System.Text.Json;
using Alba;

namespace TicketLedger.Tests;

/// <summary>What every test of the HTTP API needs: a caller's key on a request, and the JSON of an answer.</summary>
public static class ScenarioHelpers
{
    public static void WithKey(this Scenario x, string key) => x.WithRequestHeader("Authorization", "Bearer " + key);

    public static JsonElement Json(this IScenarioResult result) => JsonDocument.Parse(result.ReadAsText()).RootElement.Clone();

    /// <summary>The `errors` of a validation problem: field name to messages.</summary>
    public static JsonElement Errors(this IScenarioResult result) => result.Json().GetProperty("errors");
}
