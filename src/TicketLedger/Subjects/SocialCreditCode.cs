namespace TicketLedger.Subjects;

/// <summary>
/// The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters whose 18th is a mod-31 check
/// character, embedding at positions 9–17 an organisation code (GB 11714) with its own mod-11 check digit.
/// Both checks catch typing errors before a code becomes the key that makes a registration unique.
/// </summary>
public static class SocialCreditCode
{
    public const int Length = 18;

    /// <summary>Digits and capitals without I, O, Z, S, V; a character's value is its index here.</summary>
    private const string Charset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    private static readonly int[] OrganisationWeights = [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>Codes are written in capitals; lower case and surrounding blanks are typing noise, not a different code.</summary>
    public static string Normalize(string code) => code.Trim().ToUpperInvariant();

    public static bool IsValid(string? code) =>
        code is { Length: Length }
        && code.All(c => Charset.Contains(c))
        && CheckCharacter(code[..17]) == code[17]
        && OrganisationCheckDigit(code[8..16]) == code[16];

    /// <summary>The 18th character for the first 17 (all from the GB 32100 charset).</summary>
    public static char CheckCharacter(string first17)
    {
        var sum = 0;
        for (var i = 0; i < Weights.Length; i++) sum += Charset.IndexOf(first17[i]) * Weights[i];
        return Charset[(31 - sum % 31) % 31];
    }

    /// <summary>The GB 11714 check digit of an 8-character organisation code body; letters count A=10 … Z=35.</summary>
    public static char OrganisationCheckDigit(string body8)
    {
        var sum = 0;
        for (var i = 0; i < OrganisationWeights.Length; i++)
            sum += (char.IsAsciiDigit(body8[i]) ? body8[i] - '0' : body8[i] - 'A' + 10) * OrganisationWeights[i];
        return (11 - sum % 11) switch
        {
            10 => 'X',
            11 => '0',
            var digit => (char)('0' + digit),
        };
    }
}
