using System.Buffers;
using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Shop.Core.Common;

/// <summary>A free-text field that may hold line breaks and tabs (a description, a note). NUL and other control characters stay refused.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MultilineTextAttribute : Attribute;

/// <summary>
/// Text from a client carries no control characters: a NUL is stored by SQLite and refused by
/// PostgreSQL (22021, a 500), and none belongs in a name, an address line, a code or a search
/// term. One rule for every string a request binds, at any depth (bodies, query objects, route
/// and header values), answered as a 400 naming the field, the same on every database.
/// </summary>
public static class TextInput
{
    /// <summary>Adds an error for each string in <paramref name="value"/> that holds a control character; <paramref name="path"/> names the value.</summary>
    public delegate void Inspector(object value, string path, IDictionary<string, string[]> errors);

    private const int MaxDepth = 8;

    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(ControlCharactersExcept(""));
    private static readonly SearchValues<char> ControlCharactersButLineBreaks = SearchValues.Create(ControlCharactersExcept("\n\r\t"));

    /// <summary>
    /// The check for values of <paramref name="type"/>, worked out once: a string, a collection, or
    /// one of the shop's own request types (walked property by property); null when it holds no text.
    /// </summary>
    public static Inspector? For(Type type, bool multiline = false) => For(type, multiline, depth: 0);

    private static Inspector? For(Type type, bool multiline, int depth)
    {
        if (type == typeof(string))
        {
            return multiline ? CheckMultiline : CheckSingleLine;
        }

        if (depth >= MaxDepth)
        {
            return null;
        }

        if (ElementType(type) is { } elementType)
        {
            return For(elementType, multiline, depth + 1) is { } element ? (value, path, errors) => EachElement(element, value, path, errors) : null;
        }

        if (type.Namespace?.StartsWith("Shop.", StringComparison.Ordinal) != true || type.IsEnum || type.IsPrimitive)
        {
            return null;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => (Property: p, Name: JsonNamingPolicy.CamelCase.ConvertName(p.Name), Check: For(p.PropertyType, p.IsDefined(typeof(MultilineTextAttribute)), depth + 1)))
            .Where(p => p.Check is not null)
            .ToArray();
        if (properties.Length == 0)
        {
            return null;
        }

        return (value, path, errors) =>
        {
            foreach (var (property, name, check) in properties)
            {
                if (property.GetValue(value) is { } member)
                {
                    check!(member, path.Length == 0 ? name : $"{path}.{name}", errors);
                }
            }
        };
    }

    private static void CheckSingleLine(object value, string path, IDictionary<string, string[]> errors)
    {
        if (((string)value).AsSpan().ContainsAny(ControlCharacters))
        {
            errors[path] = [$"'{path}' must not contain control characters (such as NUL, tabs or line breaks)."];
        }
    }

    private static void CheckMultiline(object value, string path, IDictionary<string, string[]> errors)
    {
        if (((string)value).AsSpan().ContainsAny(ControlCharactersButLineBreaks))
        {
            errors[path] = [$"'{path}' must not contain control characters other than line breaks and tabs (such as NUL)."];
        }
    }

    private static void EachElement(Inspector element, object value, string path, IDictionary<string, string[]> errors)
    {
        var index = 0;
        foreach (var item in (IEnumerable)value)
        {
            if (item is not null)
            {
                element(item, $"{path}[{index}]", errors);
            }

            index++;
        }
    }

    // char.IsControl: U+0000 to U+001F and U+007F to U+009F.
    private static char[] ControlCharactersExcept(string allowed) =>
        Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(c => char.IsControl(c) && !allowed.Contains(c, StringComparison.Ordinal)).ToArray();

    private static Type? ElementType(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : type.GetInterfaces().Append(type)
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
