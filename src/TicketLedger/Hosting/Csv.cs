using System.Text;

namespace TicketLedger.Hosting;

/// <summary>CSV as office spreadsheets read it: RFC 4180 quoting, a UTF-8 BOM so Excel shows Chinese.</summary>
public static class Csv
{
    /// <summary>A leading formula character is defused, so a spreadsheet never evaluates text a caller typed.</summary>
    public static string Quote(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0])) value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    public static byte[] WithBom(StringBuilder text) => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
}
