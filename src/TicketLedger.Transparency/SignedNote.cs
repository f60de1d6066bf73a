using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace TicketLedger.Transparency;

/// <summary>One signature line of a note: the key name and the decoded bytes after it (key id first).</summary>
public sealed record NoteSignature(string KeyName, byte[] Bytes)
{
    public byte[] KeyId => Bytes[..4];

    public string Line => $"{SignedNote.Dash} {KeyName} {Convert.ToBase64String(Bytes)}\n";
}

/// <summary>
/// The C2SP signed-note format (docs/audit.md): a body ending in a newline, a blank line, then one line per signature,
/// <c>— &lt;key name&gt; &lt;base64(4-byte key id ‖ signature)&gt;</c>.
/// </summary>
public sealed record SignedNote(string Body, IReadOnlyList<NoteSignature> Signatures)
{
    public const string Dash = "\u2014";

    public string Text => Body + "\n" + string.Concat(Signatures.Select(s => s.Line));

    public static bool TryParse(string? text, [NotNullWhen(true)] out SignedNote? note)
    {
        note = null;
        if (text is null) return false;
        var split = text.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !text.EndsWith('\n')) return false;
        var signatures = new List<NoteSignature>();
        foreach (var line in text[(split + 2)..^1].Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length != 3 || parts[0] != Dash || parts[1].Length == 0) return false;
            try
            {
                var bytes = Convert.FromBase64String(parts[2]);
                if (bytes.Length < 5) return false;
                signatures.Add(new NoteSignature(parts[1], bytes));
            }
            catch (FormatException)
            {
                return false;
            }
        }
        note = new SignedNote(text[..(split + 1)], signatures);
        return signatures.Count > 0;
    }
}

/// <summary>The body of a C2SP checkpoint: origin, tree size, base64 root hash, each on its own line.</summary>
public sealed record Checkpoint(string Origin, long Size, byte[] Root)
{
    public string Body => $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(Root)}\n";

    public static bool TryParse(string body, [NotNullWhen(true)] out Checkpoint? checkpoint)
    {
        checkpoint = null;
        var lines = body.Split('\n');
        if (lines.Length < 4 || lines[^1] != "" || lines[0].Length == 0
            || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return false;
        try
        {
            var root = Convert.FromBase64String(lines[2]);
            if (root.Length != Merkle.HashSize) return false;
            checkpoint = new Checkpoint(lines[0], size, root);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>An Ed25519 public key as signed notes name it: key name, key id and the 32 key bytes.</summary>
public sealed record NoteVerifier(string Name, byte[] PublicKey)
{
    /// <summary>The note algorithm byte of a plain Ed25519 signature.</summary>
    public const byte Ed25519 = 0x01;

    /// <summary>The algorithm byte of a C2SP tlog-cosignature (a witness's timestamped cosignature).</summary>
    public const byte Cosignature = 0x04;

    public byte[] KeyId => KeyIdOf(Name, Ed25519, PublicKey);

    public byte[] CosignatureKeyId => KeyIdOf(Name, Cosignature, PublicKey);

    /// <summary>The first 4 bytes of SHA-256(key name ‖ 0x0A ‖ algorithm ‖ public key).</summary>
    public static byte[] KeyIdOf(string name, byte algorithm, byte[] publicKey) =>
        SHA256.HashData([.. Encoding.UTF8.GetBytes(name), 0x0A, algorithm, .. publicKey])[..4];

    /// <summary>The C2SP verifier key text: <c>name+hex key id+base64(0x01 ‖ public key)</c>.</summary>
    public string VerifierKey => $"{Name}+{Convert.ToHexStringLower(KeyId)}+{Convert.ToBase64String([Ed25519, .. PublicKey])}";

    public static bool TryParseVerifierKey(string text, [NotNullWhen(true)] out NoteVerifier? verifier)
    {
        verifier = null;
        var parts = text.Trim().Split('+', 3);
        if (parts.Length != 3) return false;
        try
        {
            var key = Convert.FromBase64String(parts[2]);
            if (key.Length != 33 || key[0] != Ed25519) return false;
            verifier = new NoteVerifier(parts[0], key[1..]);
            return Convert.ToHexStringLower(verifier.KeyId) == parts[1].ToLowerInvariant();
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Whether the note carries this key's valid Ed25519 signature over its body.</summary>
    public bool Signed(SignedNote note) => note.Signatures.Any(s =>
        s.KeyName == Name && s.Bytes.Length == 68 && s.KeyId.AsSpan().SequenceEqual(KeyId)
        && Ed25519Verify(Encoding.UTF8.GetBytes(note.Body), s.Bytes[4..]));

    /// <summary>The time of this key's valid cosignature of the checkpoint, or null when the note has none.</summary>
    public DateTimeOffset? Cosigned(SignedNote note)
    {
        foreach (var s in note.Signatures.Where(s => s.KeyName == Name && s.Bytes.Length == 76 && s.KeyId.AsSpan().SequenceEqual(CosignatureKeyId)))
        {
            var time = BinaryPrimitives.ReadUInt64BigEndian(s.Bytes.AsSpan(4, 8));
            if (Ed25519Verify(NoteSigner.CosignedMessage(note.Body, time), s.Bytes[12..])) return DateTimeOffset.FromUnixTimeSeconds((long)time);
        }
        return null;
    }

    private bool Ed25519Verify(byte[] message, byte[] signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(PublicKey, 0));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }
}

/// <summary>An Ed25519 private key that signs notes under a key name.</summary>
public sealed class NoteSigner
{
    private readonly Ed25519PrivateKeyParameters _key;

    public NoteSigner(string name, byte[] privateKey)
    {
        if (privateKey.Length != 32) throw new ArgumentException("An Ed25519 private key is 32 bytes.", nameof(privateKey));
        _key = new Ed25519PrivateKeyParameters(privateKey, 0);
        Verifier = new NoteVerifier(name, _key.GeneratePublicKey().GetEncoded());
    }

    public NoteVerifier Verifier { get; }

    /// <summary>The same key under another name: one deployment key signs the log of each of its databases.</summary>
    public NoteSigner Named(string name) => new(name, _key.GetEncoded());

    public static byte[] NewPrivateKey() => RandomNumberGenerator.GetBytes(32);

    public NoteSignature Sign(string body) => new(Verifier.Name, [.. Verifier.KeyId, .. Ed25519Sign(Encoding.UTF8.GetBytes(body))]);

    /// <summary>A witness's C2SP cosignature/v1 of a checkpoint body at a time (whole seconds since the Unix epoch).</summary>
    public NoteSignature Cosign(string body, DateTimeOffset at)
    {
        var time = (ulong)at.ToUnixTimeSeconds();
        var timeBytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(timeBytes, time);
        return new NoteSignature(Verifier.Name, [.. Verifier.CosignatureKeyId, .. timeBytes, .. Ed25519Sign(CosignedMessage(body, time))]);
    }

    internal static byte[] CosignedMessage(string body, ulong time) =>
        Encoding.UTF8.GetBytes($"cosignature/v1\ntime {time.ToString(CultureInfo.InvariantCulture)}\n{body}");

    private byte[] Ed25519Sign(byte[] message)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _key);
        signer.BlockUpdate(message, 0, message.Length);
        return signer.GenerateSignature();
    }
}
