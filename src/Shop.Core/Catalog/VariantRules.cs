using Shop.Core.Common;

namespace Shop.Core.Catalog;

/// <summary>What makes a variant fit its product's options: exactly one listed value of each option.</summary>
public static class VariantRules
{
    public static List<ProductOption> Normalize(IEnumerable<ProductOptionRequest>? options) =>
        [.. (options ?? []).Select(o => new ProductOption(o.Name.Trim(), [.. o.Values.Select(v => v.Trim())]))];

    /// <summary>The values in the options' order, or why they do not fit (null when they do).</summary>
    public static (Dictionary<string, string> Values, string? Problem) Fit(IReadOnlyList<ProductOption> options, IReadOnlyDictionary<string, string>? values)
    {
        var given = (values ?? new Dictionary<string, string>()).ToDictionary(v => v.Key.Trim(), v => v.Value.Trim(), StringComparer.Ordinal);
        var fitted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            if (!given.TryGetValue(option.Name, out var value))
            {
                return (fitted, $"A value of the option '{option.Name}' is missing.");
            }

            if (!option.Values.Contains(value, StringComparer.Ordinal))
            {
                return (fitted, $"'{value}' is not a value of the option '{option.Name}' ({string.Join(", ", option.Values)}).");
            }

            fitted[option.Name] = value;
        }

        var unknown = given.Keys.Where(name => options.All(o => o.Name != name)).ToList();
        return unknown.Count > 0
            ? (fitted, $"The product has no option {string.Join(", ", unknown.Select(n => $"'{n}'"))}.")
            : (fitted, null);
    }

    /// <summary>Values that fit, or a 400 naming <paramref name="field"/>.</summary>
    public static Dictionary<string, string> FitOrThrow(IReadOnlyList<ProductOption> options, IReadOnlyDictionary<string, string>? values, string field)
    {
        var (fitted, problem) = Fit(options, values);
        return problem is null ? fitted : throw new RequestValidationException(field, problem);
    }

    public static ConflictException Exists(IReadOnlyDictionary<string, string> values) =>
        new($"The product already has a variant with {(values.Count == 0 ? "no option values" : ProductVariant.KeyOf(values))}.", "variant-exists");
}
