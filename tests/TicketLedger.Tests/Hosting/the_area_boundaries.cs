using Mono.Cecil;
using Mono.Cecil.Cil;

namespace TicketLedger.Tests.Hosting;

/// <summary>
/// Which area (a folder, a namespace under TicketLedger) may use which, read from the compiled code: every type a
/// type's signatures, attributes and method bodies name. A new arrow fails here until it is added on purpose.
/// </summary>
public sealed class the_area_boundaries
{
    /// <summary>
    /// The arrows allowed; the root namespace (Program, IBusinessEvent) and generated code are left out. Transparency is
    /// the library the offline verifier shares (src/TicketLedger.Transparency): it depends on no area.
    /// </summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Hosting"] = [],
        ["Reference"] = ["Hosting"],
        ["Transparency"] = [],
        ["Audit"] = ["Hosting", "Transparency"],
        ["Subjects"] = ["Hosting", "Reference"],
        ["Tickets"] = ["Hosting", "Reference", "Subjects", "Audit", "Transparency"],
        ["Bureaus"] = ["Hosting", "Reference", "Subjects", "Tickets", "Audit", "Transparency"],
        ["Ledger"] = ["Hosting", "Reference", "Subjects", "Tickets", "Audit"],
        ["Admin"] = ["Hosting"],
        ["Dashboard"] = ["Hosting"],
        ["Seeding"] = ["Hosting", "Reference", "Subjects", "Tickets", "Ledger", "Audit"],
    };

    private static readonly Lazy<Dictionary<string, SortedSet<string>>> Actual = new(ReadDependencies);

    [Fact]
    public void no_area_uses_an_area_it_may_not()
    {
        var stray = Actual.Value.SelectMany(area => area.Value
                .Where(used => !Allowed.GetValueOrDefault(area.Key, []).Contains(used))
                .Select(used => $"{area.Key} -> {used}"))
            .ToList();
        Assert.Empty(stray);
    }

    [Fact]
    public void every_area_is_in_the_table()
    {
        var unlisted = Actual.Value.Keys.Where(area => !Allowed.ContainsKey(area)).ToList();
        Assert.Empty(unlisted);
    }

    [Fact]
    public void the_allowed_arrows_have_no_cycle()
    {
        foreach (var area in Allowed.Keys)
            Assert.False(Reaches(area, area, []), $"{area} reaches itself");
    }

    [Fact]
    public void hosting_depends_on_no_area()
    {
        Assert.Empty(Actual.Value.GetValueOrDefault("Hosting", []));
    }

    private static bool Reaches(string from, string target, HashSet<string> seen)
    {
        foreach (var next in Allowed.GetValueOrDefault(from, []))
        {
            if (next == target) return true;
            if (seen.Add(next) && Reaches(next, target, seen)) return true;
        }
        return false;
    }

    private static Dictionary<string, SortedSet<string>> ReadDependencies()
    {
        using var module = ModuleDefinition.ReadModule(typeof(Program).Assembly.Location);
        var result = new Dictionary<string, SortedSet<string>>();
        foreach (var type in module.GetTypes())
        {
            if (AreaOf(type) is not { } area) continue;
            var used = result.TryGetValue(area, out var set) ? set : result[area] = [];
            foreach (var referenced in ReferencedTypes(type))
                if (AreaOf(referenced) is { } other && other != area) used.Add(other);
        }
        return result;
    }

    /// <summary>TicketLedger.&lt;Area&gt;[.…]; nested types (closures, async state machines) belong to their outermost type.</summary>
    private static string? AreaOf(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        var parts = type.Namespace.Split('.');
        return parts is ["TicketLedger", var area, ..] ? area : null;
    }

    private static IEnumerable<TypeReference> ReferencedTypes(TypeDefinition type)
    {
        IEnumerable<TypeReference> Expand(TypeReference? t)
        {
            if (t is null) yield break;
            yield return t.GetElementType();
            if (t is GenericInstanceType generic)
                foreach (var argument in generic.GenericArguments.SelectMany(Expand)) yield return argument;
        }

        var found = new List<TypeReference>();
        found.AddRange(Expand(type.BaseType));
        found.AddRange(type.Interfaces.SelectMany(i => Expand(i.InterfaceType)));
        found.AddRange(type.CustomAttributes.SelectMany(a => Expand(a.AttributeType)));
        found.AddRange(type.Fields.SelectMany(f => Expand(f.FieldType)));
        found.AddRange(type.Properties.SelectMany(p => Expand(p.PropertyType)));
        foreach (var method in type.Methods)
        {
            found.AddRange(Expand(method.ReturnType));
            found.AddRange(method.Parameters.SelectMany(p => Expand(p.ParameterType)));
            found.AddRange(method.CustomAttributes.SelectMany(a => Expand(a.AttributeType)));
            if (!method.HasBody) continue;
            found.AddRange(method.Body.Variables.SelectMany(v => Expand(v.VariableType)));
            foreach (var instruction in method.Body.Instructions)
                found.AddRange(instruction.Operand switch
                {
                    TypeReference t => Expand(t),
                    MethodReference m => Expand(m.DeclaringType).Concat(Expand(m.ReturnType)),
                    FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                    _ => [],
                });
        }
        return found;
    }
}
