using System.Reflection;
using System.Runtime.CompilerServices;
using Shop.Core.Events;
using Wolverine.Attributes;

namespace Shop.UnitTests;

/// <summary>The event types that subscribers bind to (routing keys on shop.events) are the documented ones.</summary>
public class EventContractTests
{
    private static readonly Type[] EventTypes = typeof(IShopEvent).Assembly.GetTypes()
        .Where(t => t.IsClass && !t.IsAbstract && typeof(IShopEvent).IsAssignableFrom(t)).ToArray();

    private static string TypeOf(Type eventType) =>
        ((IShopEvent)RuntimeHelpers.GetUninitializedObject(eventType)).Type;

    [Fact]
    public void Every_event_is_routed_by_its_type()
    {
        Assert.NotEmpty(EventTypes);
        foreach (var eventType in EventTypes)
        {
            Assert.Equal(TypeOf(eventType), eventType.GetCustomAttribute<TopicAttribute>()?.TopicName);
        }
    }

    [Fact]
    public void Every_event_type_is_documented_and_unique()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "events.md"));
        var types = EventTypes.Select(TypeOf).ToList();
        Assert.Equal(types.Count, types.Distinct().Count());
        Assert.All(types, type => Assert.Contains($"| `{type}` |", docs, StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Shop.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Shop.slnx not found above the test binaries.");
    }
}
