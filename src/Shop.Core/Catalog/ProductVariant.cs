namespace Shop.Core.Catalog;

/// <summary>
/// One thing a customer can buy: a product in one combination of its options ("M", "Red"), with
/// its own sku, price, stock and stock history. A simple product has one, with no option values;
/// the default variant a product is created with (or was migrated to) has the product's id.
/// </summary>
public sealed class ProductVariant
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProductId { get; init; }
    public required string Sku { get; set; }

    /// <summary>One value per option of the product, in the product's option order (read with the variant).</summary>
    public Dictionary<string, string> OptionValues { get; set; } = [];

    /// <summary>The same values as rows, for filters and facet counts.</summary>
    public List<VariantOptionValue> OptionRows { get; set; } = [];

    /// <summary>
    /// The option values as one text ("Color=Red;Size=M", names in ordinal order), unique per
    /// product: two variants with the same values cannot both be stored, however they race.
    /// </summary>
    public string OptionKey { get; set; } = "";

    public long PriceMinor { get; set; }
    public required string Currency { get; set; }
    public bool IsActive { get; set; } = true;

    /// <summary>Its place among the product's variants (creation order).</summary>
    public int Position { get; set; }

    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public Inventory? Inventory { get; set; }

    /// <summary>Sets the option values, their rows and the key together.</summary>
    public void SetOptionValues(IReadOnlyDictionary<string, string> values)
    {
        OptionValues = new Dictionary<string, string>(values);
        // Rows kept where their option is (a row per option name is the key), so a tracked variant updates in place.
        OptionRows.RemoveAll(row => !values.ContainsKey(row.Name));
        foreach (var (name, value) in values)
        {
            if (OptionRows.Find(row => row.Name == name) is { } row)
            {
                row.Value = value;
            }
            else
            {
                OptionRows.Add(new VariantOptionValue { VariantId = Id, ProductId = ProductId, Name = name, Value = value });
            }
        }

        OptionKey = KeyOf(values);
    }

    public static string KeyOf(IReadOnlyDictionary<string, string> values) =>
        string.Join(';', values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));
}

/// <summary>One option value of a variant ("Size" = "M"), a row of its own so that filters and facet counts are indexed queries.</summary>
public sealed class VariantOptionValue
{
    public Guid VariantId { get; init; }
    public Guid ProductId { get; init; }
    public required string Name { get; init; }
    public required string Value { get; set; }
}

/// <summary>A product option: a name and its values in display order ("Size": S, M, L).</summary>
public sealed record ProductOption(string Name, IReadOnlyList<string> Values);
