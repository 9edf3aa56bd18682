using System.Text;
using System.Text.RegularExpressions;

namespace Shop.Core.Catalog;

public static partial class Slugs
{
    public const int MaxLength = 120;

    /// <summary>"Café Crème 2-Pack!" becomes "caf-cr-me-2-pack": lower-case ASCII letters and digits joined by single hyphens.</summary>
    public static string FromName(string name, string fallback)
    {
        var slug = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString().Trim('-');
        if (result.Length > MaxLength - 8)
        {
            result = result[..(MaxLength - 8)].Trim('-');
        }

        return result.Length == 0 ? fallback : result;
    }

    /// <summary>A generated slug that is taken gets a short random suffix.</summary>
    public static string WithSuffix(string slug) => $"{slug}-{Guid.NewGuid().ToString("N")[..6]}";

    public static bool IsValid(string? slug) => slug is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(slug);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Pattern();
}
