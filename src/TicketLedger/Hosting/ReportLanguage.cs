namespace TicketLedger.Hosting;

/// <summary>Reports and exports are in Chinese, the office's own register, or in English (`lang=zh|en`).</summary>
public static class ReportLanguage
{
    public const string Chinese = "zh";
    public const string English = "en";
    public static readonly string[] All = [Chinese, English];

    /// <summary>Blank means the default, Chinese.</summary>
    public static string From(QueryValues query, string? lang) => query.OneOf("lang", lang, All) ?? Chinese;
}
