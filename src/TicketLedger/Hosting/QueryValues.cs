using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace TicketLedger.Hosting;

/// <summary>
/// The one convention for query-string values on every GET (docs/http.md): each arrives as text and is parsed here,
/// so a value that does not parse or lies out of range is a 400 naming the parameter, never ignored, defaulted or
/// clamped. A blank value ("?kind=") is no value, as a form with an empty field sends it.
/// </summary>
public sealed class QueryValues
{
    public const string DateFormat = "yyyy-MM-dd";
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 200;
    /// <summary>Keeps (page - 1) × pageSize within an offset; deeper than ten million rows is not a page anyone reads.</summary>
    public const int MaxPage = 50_000;

    private readonly Dictionary<string, string[]> _errors = [];

    public bool Invalid => _errors.Count > 0;

    public IReadOnlyDictionary<string, string[]> Errors => _errors;

    /// <summary>For Wolverine's Validate methods: no problem when every value parsed.</summary>
    public ProblemDetails Problem() =>
        Invalid ? new ValidationProblemDetails(_errors) { Status = 400, Title = Title, Type = "https://httpstatuses.io/400" } : WolverineContinue.NoProblems;

    public IResult Result() => Results.ValidationProblem(_errors, title: Title, type: "https://httpstatuses.io/400");

    private const string Title = "One or more query parameters are invalid.";

    private static bool IsBlank([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] string? value) => string.IsNullOrWhiteSpace(value);

    public DateOnly? Date(string name, string? value)
    {
        if (IsBlank(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        _errors[name] = ["must be a date as yyyy-MM-dd, e.g. 2020-03-15"];
        return null;
    }

    /// <summary>In UTC, as Npgsql writes timestamptz parameters.</summary>
    public DateTimeOffset? Timestamp(string name, string? value)
    {
        if (IsBlank(value)) return null;
        // An unencoded '+' of an offset arrives as a space.
        if (DateTimeOffset.TryParse(value.Trim().Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return at.ToUniversalTime();
        _errors[name] = ["must be an ISO-8601 timestamp with offset, e.g. 2020-03-15T18:00:00+08:00"];
        return null;
    }

    public int? Integer(string name, string? value, int min, int max)
    {
        if (IsBlank(value)) return null;
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
        _errors[name] = [$"must be a whole number from {min} to {max}"];
        return null;
    }

    public (int Page, int PageSize) Paging(string? page, string? pageSize) =>
        (Integer("page", page, 1, MaxPage) ?? 1, Integer("pageSize", pageSize, 1, MaxPageSize) ?? DefaultPageSize);

    public bool? Boolean(string name, string? value)
    {
        if (IsBlank(value)) return null;
        if (bool.TryParse(value.Trim(), out var b)) return b;
        _errors[name] = ["must be true or false"];
        return null;
    }

    public Guid? Id(string name, string? value)
    {
        if (IsBlank(value)) return null;
        if (Guid.TryParse(value.Trim(), out var id)) return id;
        _errors[name] = ["must be an id (a GUID)"];
        return null;
    }

    /// <summary>By its JSON name only ("bureau-referral", in any case): Enum.TryParse would also take "7" or "above,below".</summary>
    public TEnum? Enum<TEnum>(string name, string? value) where TEnum : struct, Enum
    {
        if (IsBlank(value)) return null;
        foreach (var candidate in System.Enum.GetValues<TEnum>())
            if (string.Equals(NameOf(candidate), value.Trim(), StringComparison.OrdinalIgnoreCase)) return candidate;
        _errors[name] = [$"must be one of {string.Join(", ", System.Enum.GetValues<TEnum>().Select(NameOf))}"];
        return null;
    }

    /// <summary>One of a fixed set of words, such as a language.</summary>
    public string? OneOf(string name, string? value, params string[] allowed)
    {
        if (IsBlank(value)) return null;
        if (allowed.Contains(value.Trim())) return value.Trim();
        _errors[name] = [$"must be one of {string.Join(", ", allowed)}"];
        return null;
    }

    /// <summary>Free text used as a filter; blank is no filter.</summary>
    public static string? Text(string? value) => IsBlank(value) ? null : value.Trim();

    public static string NameOf<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
