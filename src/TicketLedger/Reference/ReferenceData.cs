namespace TicketLedger.Reference;

/// <summary>A code the API speaks and the Chinese label people read.</summary>
public sealed class ReferenceItem
{
    public string Code { get; set; } = "";
    public string Label { get; set; } = "";
}

public sealed class ReferenceOptions
{
    public List<ReferenceItem> Categories { get; set; } = [];
    public List<ReferenceItem> Departments { get; set; } = [];
    public List<ReferenceItem> Bureaus { get; set; } = [];
}

/// <summary>
/// Categories, departments and bureaus from the `Reference` configuration section: an office can add a bureau or
/// rename a department without a release. Codes are checked once at start-up, so a typo fails loudly there.
/// </summary>
public sealed class ReferenceData
{
    public ReferenceData(Microsoft.Extensions.Options.IOptions<ReferenceOptions> options)
    {
        var value = options.Value;
        Categories = Checked("Categories", value.Categories);
        Departments = Checked("Departments", value.Departments);
        Bureaus = Checked("Bureaus", value.Bureaus);
    }

    public IReadOnlyList<ReferenceItem> Categories { get; }
    public IReadOnlyList<ReferenceItem> Departments { get; }
    public IReadOnlyList<ReferenceItem> Bureaus { get; }

    public bool IsCategory(string? code) => Contains(Categories, code);
    public bool IsDepartment(string? code) => Contains(Departments, code);
    public bool IsBureau(string? code) => Contains(Bureaus, code);

    private static bool Contains(IReadOnlyList<ReferenceItem> items, string? code) =>
        code is not null && items.Any(i => string.Equals(i.Code, code, StringComparison.Ordinal));

    private static IReadOnlyList<ReferenceItem> Checked(string name, List<ReferenceItem> items)
    {
        var problems = items.Select((item, index) => (item, index))
            .Where(x => string.IsNullOrWhiteSpace(x.item.Code) || string.IsNullOrWhiteSpace(x.item.Label))
            .Select(x => $"Reference:{name}:{x.index} needs a code and a label")
            .Concat(items.GroupBy(i => i.Code).Where(g => g.Count() > 1).Select(g => $"Reference:{name} repeats the code '{g.Key}'"))
            .ToList();
        if (items.Count == 0) problems.Add($"Reference:{name} is empty");
        if (problems.Count > 0) throw new InvalidOperationException("Invalid reference data: " + string.Join("; ", problems));
        return items.AsReadOnly();
    }
}

public static class ReferenceDataHosting
{
    public static WebApplicationBuilder AddReferenceData(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<ReferenceOptions>(builder.Configuration.GetSection(Hosting.Settings.Reference));
        builder.Services.AddSingleton<ReferenceData>();
        return builder;
    }
}
