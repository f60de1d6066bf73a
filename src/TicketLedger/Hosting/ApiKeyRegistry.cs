using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TicketLedger.Hosting;

public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string KeySha256 { get; set; } = "";
    public string? Bureau { get; set; }
    /// <summary>The one office the key acts in.</summary>
    public string? Office { get; set; }
    /// <summary>The offices the key may act in, comma-separated, or `*` for all; the request names one in X-Office.</summary>
    public string? Offices { get; set; }
}

public sealed class AuthOptions
{
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];
}

/// <summary>The configured keys, indexed by the SHA-256 of the key; the keys themselves are never held.</summary>
public sealed class ApiKeyRegistry
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ApiKeyEntry> _byHash = new(StringComparer.Ordinal);

    public ApiKeyRegistry(IOptions<AuthOptions> options, Offices offices)
    {
        var problems = new List<string>();
        foreach (var (entry, index) in options.Value.ApiKeys.Select((e, i) => (e, i)))
        {
            if (string.IsNullOrWhiteSpace(entry.Name)) problems.Add($"Auth:ApiKeys:{index}:Name is empty");
            if (!Roles.All.Contains(entry.Role)) problems.Add($"Auth:ApiKeys:{index}:Role '{entry.Role}' is not one of {string.Join(", ", Roles.All)}");
            if (entry.Role == Roles.Bureau && string.IsNullOrWhiteSpace(entry.Bureau)) problems.Add($"Auth:ApiKeys:{index}:Bureau is required for a bureau key");
            problems.AddRange(OfficeProblems(entry, index, offices));
            var hash = entry.KeySha256.Trim().ToLowerInvariant();
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit)) problems.Add($"Auth:ApiKeys:{index}:KeySha256 is not a 64-character hex SHA-256");
            else if (!_byHash.TryAdd(hash, entry)) problems.Add($"Auth:ApiKeys:{index} repeats a key configured before it");
        }
        if (problems.Count > 0) throw new InvalidOperationException("Invalid API key configuration: " + string.Join("; ", problems));
    }

    /// <summary>In a district a key that names no office would act nowhere, or everywhere by accident: refuse to start.</summary>
    private static IEnumerable<string> OfficeProblems(ApiKeyEntry entry, int index, Offices offices)
    {
        var key = $"Auth:ApiKeys:{index}";
        if (entry.Office is { Length: > 0 } && entry.Offices is { Length: > 0 })
            yield return $"{key} names both Office and Offices; a key is bound to one office or lists the offices it may use";
        if (entry.Office is { Length: > 0 } office && offices.Find(office) is null)
            yield return $"{key}:Office '{office}' is not a configured office ({string.Join(", ", offices.All.Select(o => o.Code))})";
        if (entry.Offices is { Length: > 0 } listed && listed.Trim() != "*")
            foreach (var unknown in OfficeList.Parse(listed).Where(code => offices.Find(code) is null))
                yield return $"{key}:Offices names '{unknown}', which is not a configured office ({string.Join(", ", offices.All.Select(o => o.Code))})";
        if (offices.AreSeveral && string.IsNullOrWhiteSpace(entry.Office) && string.IsNullOrWhiteSpace(entry.Offices))
            yield return $"{key} ('{entry.Name}') names no office: with several offices every key sets Office (one) or Offices (a list or *)";
    }

    public int Count => _byHash.Count;

    public ApiKeyEntry? Find(string presentedKey) => _byHash.GetValueOrDefault(Hash(presentedKey));

    /// <summary>A random key known only to this process (for seeding through the API); it dies with the process.</summary>
    public string IssueInternalKey(string name, string role, string office)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _byHash[Hash(key)] = new ApiKeyEntry { Name = name, Role = role, Office = office };
        return key;
    }

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
}
