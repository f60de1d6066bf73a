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
