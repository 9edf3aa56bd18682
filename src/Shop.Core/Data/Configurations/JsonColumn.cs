using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Shop.Core.Data.Configurations;

/// <summary>A value stored as JSON text, the same on SQLite and PostgreSQL, compared by its JSON.</summary>
internal static class JsonColumn
{
    /// <summary>Stores the property as JSON text, compared (for change tracking) by its JSON.</summary>
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property) where T : new() =>
        property.HasConversion(Converter<T>(), Comparer<T>());

    private static ValueConverter<T, string> Converter<T>() where T : new() => new(
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
        v => JsonSerializer.Deserialize<T>(v, JsonSerializerOptions.Web) ?? new T());

    private static ValueComparer<T> Comparer<T>() where T : new() => new(
        (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Web) == JsonSerializer.Serialize(b, JsonSerializerOptions.Web),
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Web), JsonSerializerOptions.Web) ?? new T());
}
