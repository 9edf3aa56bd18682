using Microsoft.EntityFrameworkCore;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Catalog;

/// <summary>
/// The category tree, as everyone reads it. It is small and read on every catalog listing, so the
/// whole tree is cached and evicted by every change once it commits (<see cref="CacheInvalidation"/>);
/// single categories and sub-category filters are answered from it. A singleton: a read served from
/// the cache borrows no DbContext.
/// </summary>
public sealed class CategoryTree(IFusionCache cache, ICatalogReads reads)
{
    private static readonly TimeSpan TreeDuration = TimeSpan.FromMinutes(10);

    public async Task<IReadOnlyList<CategoryResponse>> GetTreeAsync(CancellationToken cancellationToken) =>
        (await GetIndexAsync(cancellationToken)).Roots;

    public async Task<CategoryResponse> GetAsync(string idOrSlug, CancellationToken cancellationToken)
    {
        var index = await GetIndexAsync(cancellationToken);
        var found = Guid.TryParse(idOrSlug, out var id) ? index.ById.GetValueOrDefault(id) : index.BySlug.GetValueOrDefault(idOrSlug);
        return found ?? throw new NotFoundException("Category not found.");
    }

    /// <summary>The category and all its descendants; empty when the category does not exist.</summary>
    public async Task<IReadOnlyList<Guid>> SubtreeIdsAsync(Guid categoryId, CancellationToken cancellationToken)
    {
        var index = await GetIndexAsync(cancellationToken);
        if (!index.ById.TryGetValue(categoryId, out var root))
        {
            return [];
        }

        var ids = new List<Guid>();
        var pending = new Stack<CategoryResponse>([root]);
        while (pending.TryPop(out var node))
        {
            ids.Add(node.Id);
            foreach (var child in node.Children)
            {
                pending.Push(child);
            }
        }

        return ids;
    }

    /// <summary>
    /// Product counts per category with each category's sub-categories rolled up: a product counts in
    /// its category and every ancestor. Only categories with a product; in tree order (depth first, by name).
    /// </summary>
    public async Task<IReadOnlyList<FacetCategory>> RollUpAsync(IReadOnlyDictionary<Guid, int> direct, CancellationToken cancellationToken)
    {
        var index = await GetIndexAsync(cancellationToken);
        var result = new List<FacetCategory>();
        int Visit(CategoryResponse node)
        {
            var at = result.Count;
            result.Add(null!); // its place, before its sub-categories
            var count = direct.GetValueOrDefault(node.Id) + node.Children.Sum(Visit);
            result[at] = new FacetCategory(node.Id, node.Name, node.Slug, count);
            return count;
        }

        foreach (var root in index.Roots)
        {
            Visit(root);
        }

        return [.. result.Where(c => c.Count > 0)];
    }

    private async Task<CategoryIndex> GetIndexAsync(CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<CategoryIndex>(CacheKeys.CategoryTree, async (context, ct) =>
        {
            var all = await reads.QueryAsync(CacheKeys.Tags.Categories, (db, t) => db.Categories.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(t), ct);
            context.Options.Size = 1 + all.Count / 10; // the memory cache's bound is in products; a category is smaller
            return CategoryIndex.Build(all);
        }, o => o.SetDuration(TreeDuration), [CacheKeys.Tags.Categories], cancellationToken); // with the defaults: fail-safe, timeouts

    private sealed record CategoryIndex(IReadOnlyList<CategoryResponse> Roots, Dictionary<Guid, CategoryResponse> ById, Dictionary<string, CategoryResponse> BySlug)
    {
        public static CategoryIndex Build(IReadOnlyList<Category> all)
        {
            var children = all.ToLookup(c => c.ParentId);
            var byId = new Dictionary<Guid, CategoryResponse>();
            CategoryResponse Node(Category c)
            {
                var node = new CategoryResponse(c.Id, c.Name, c.Slug, c.ParentId, children[c.Id].Select(Node).ToList());
                byId[c.Id] = node;
                return node;
            }

            var roots = children[null].Select(Node).ToList();
            return new CategoryIndex(roots, byId, byId.Values.ToDictionary(c => c.Slug, StringComparer.Ordinal));
        }
    }
}
