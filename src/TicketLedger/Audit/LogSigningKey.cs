using Microsoft.Extensions.Options;
using TicketLedger.Hosting;
using TicketLedger.Transparency;

namespace TicketLedger.Audit;

/// <summary>The Audit section as the transparency log reads it (README, docs/audit.md).</summary>
public sealed class TransparencyLogOptions
{
    /// <summary>The log's name, first line of every checkpoint and the name of its signing key.</summary>
    public string? Origin { get; set; }

    /// <summary>A file holding the base64 Ed25519 private key (32 bytes).</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The base64 Ed25519 private key itself, e.g. from the environment variable Audit__SigningKey.</summary>
    public string? SigningKey { get; set; }

    public TimeSpan CheckpointEvery { get; set; } = TimeSpan.FromMinutes(1);

    public List<WitnessOptions> Witnesses { get; set; } = [];
}

public sealed class WitnessOptions
{
    public string Name { get; set; } = "";

    /// <summary>Base64 of the witness's 32-byte Ed25519 public key.</summary>
    public string PublicKey { get; set; } = "";
}

/// <summary>
/// The key that signs checkpoints, kept outside the database so that whoever can rewrite the tables cannot also sign
/// a rewritten history. Sources, in order: Audit:SigningKeyFile, Audit:SigningKey, then for the embedded cluster a key
/// file generated beside its data (and its public key logged); in Development against a server of one's own, a
/// throwaway key with a warning. Anywhere else, no key is an error rather than a key nobody knows about.
/// </summary>
public sealed class LogSigningKey(NoteSigner signer)
{
    public const string EmbeddedKeyFile = "audit-signing.key";

    public NoteSigner Signer { get; } = signer;

    public string Origin => Signer.Verifier.Name;

    public static LogSigningKey Load(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TransparencyLogOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<LogSigningKey>>();
        var origin = options.Origin is { Length: > 0 } o ? o : "ticketledger/" + services.GetRequiredService<Offices>().Home;
        if (origin.Any(c => char.IsWhiteSpace(c) || c == '+'))
            throw new InvalidOperationException($"{Settings.AuditOrigin} '{origin}' may contain neither spaces nor '+': it names the signing key in signed notes.");

        if (options.SigningKeyFile is { Length: > 0 } file)
        {
            if (!File.Exists(file)) throw new InvalidOperationException($"{Settings.AuditSigningKeyFile} names '{file}', which does not exist.");
            return new LogSigningKey(new NoteSigner(origin, Decode(File.ReadAllText(file), Settings.AuditSigningKeyFile)));
        }
        if (options.SigningKey is { Length: > 0 } key) return new LogSigningKey(new NoteSigner(origin, Decode(key, Settings.AuditSigningKey)));

        if (services.GetService<EmbeddedPostgres>() is { } embedded)
        {
            var path = Path.Combine(embedded.RootDirectory, EmbeddedKeyFile);
            if (!File.Exists(path))
            {
                File.WriteAllText(path, Convert.ToBase64String(NoteSigner.NewPrivateKey()) + "\n");
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            var signer = new NoteSigner(origin, Decode(File.ReadAllText(path), path));
            logger.LogInformation("Checkpoints are signed with the key in {KeyFile}; its verifier key is {VerifierKey}", path, signer.Verifier.VerifierKey);
            return new LogSigningKey(signer);
        }

        if (services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            var signer = new NoteSigner(origin, NoteSigner.NewPrivateKey());
            logger.LogWarning("No {SigningKeyFile} or {SigningKey} is configured: checkpoints are signed with a throwaway key ({VerifierKey}) that dies with this process",
                Settings.AuditSigningKeyFile, Settings.AuditSigningKey, signer.Verifier.VerifierKey);
            return new LogSigningKey(signer);
        }
        throw new InvalidOperationException(
            $"No key to sign the transparency log's checkpoints: set {Settings.AuditSigningKeyFile} (a file holding a base64 Ed25519 private key) " +
            $"or {Settings.AuditSigningKey} (env Audit__SigningKey). `openssl rand -base64 32` makes one.");
    }

    /// <summary>The configured witnesses, whose cosignatures are checked before they are stored.</summary>
    public static IReadOnlyList<NoteVerifier> Witnesses(TransparencyLogOptions options) => options.Witnesses.Select((w, i) =>
    {
        try
        {
            var key = Convert.FromBase64String(w.PublicKey);
            if (key.Length == 32 && w.Name.Length > 0) return new NoteVerifier(w.Name, key);
        }
        catch (FormatException) { }
        throw new InvalidOperationException($"Audit:Witnesses:{i} needs a Name and a PublicKey of 32 bytes in base64.");
    }).ToList();

    private static byte[] Decode(string base64, string source)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            if (key.Length == 32) return key;
        }
        catch (FormatException) { }
        throw new InvalidOperationException($"{source} must hold a base64 Ed25519 private key of 32 bytes.");
    }
}
