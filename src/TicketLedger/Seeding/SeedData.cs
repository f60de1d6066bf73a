using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketLedger.Seeding;

/// <summary>
/// The seed dataset as it lies in seeds/: subjects with their visits, resumption reports and funds, and tickets with
/// their lifecycle steps. Field names are those of the API's request bodies, so a step is posted as it stands.
/// </summary>
public sealed record SeedData(IReadOnlyList<SeedSubject> Subjects, IReadOnlyList<SeedTicket> Tickets)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static SeedData Load(string directory) => new(
        Read<List<SeedSubject>>(Path.Combine(directory, "subjects.json")),
        Read<List<SeedTicket>>(Path.Combine(directory, "tickets.json")));

    private static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path} is empty");

    /// <summary>seeds/ beside the working directory or the executable, unless Seeds:Directory says otherwise.</summary>
    public static string FindDirectory(IConfiguration configuration)
    {
        if (configuration[Hosting.Settings.SeedsDirectory] is { Length: > 0 } configured) return configured;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "seeds", "subjects.json"))) return Path.Combine(dir.FullName, "seeds");
        throw new DirectoryNotFoundException($"No seeds/ folder found above {Directory.GetCurrentDirectory()}; set {Hosting.Settings.SeedsDirectory}.");
    }
}

public sealed record SeedSubject(
    string Key, string Kind, string Name, string? CreditCode, string? Scale, string? KeyProjectLevel, string? Address,
    JsonObject? Contact, DateTimeOffset RegisteredAt, string? GridStaff,
    IReadOnlyList<JsonObject>? Visits, IReadOnlyList<JsonObject>? Resumption, IReadOnlyList<JsonObject>? Funds);

public sealed record SeedTicket(
    string Key, string Subject, string Category, string Title, string Description, string Source, DateTimeOffset RaisedAt,
    IReadOnlyList<JsonObject> Steps);
