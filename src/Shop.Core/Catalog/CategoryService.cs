using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Catalog;

/// <summary>
/// The category tree. It is small and read on every catalog listing, so the whole tree is cached
/// and evicted by every change once it commits (<see cref="CacheInvalidation"/>); single categories
/// and sub-category filters are answered from it.
/// </summary>
public sealed class CategoryService(ShopDbContext db, IFusionCache cache, IServiceScopeFactory scopes, TimeProvider clock)
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

    public async Task<bool> ExistsAsync(Guid categoryId, CancellationToken cancellationToken) =>
        await db.Categories.AnyAsync(c => c.Id == categoryId, cancellationToken);

    public async Task<CategoryResponse> CreateAsync(CategoryRequest request, CancellationToken cancellationToken)
    {
        await EnsureParentAsync(null, request.ParentId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var category = new Category
        {
            Name = request.Name.Trim(),
            Slug = request.Slug ?? Slugs.FromName(request.Name, "category"),
            ParentId = request.ParentId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Categories.Add(category);
        await SaveWithUniqueSlugAsync(category, slugGiven: request.Slug is not null, cancellationToken);
        return new CategoryResponse(category.Id, category.Name, category.Slug, category.ParentId, []);
    }

    public async Task<CategoryResponse> UpdateAsync(Guid id, CategoryRequest request, CancellationToken cancellationToken)
    {
        var category = await db.Categories.SingleOrDefaultAsync(c => c.Id == id, cancellationToken)
            ?? throw new NotFoundException("Category not found.");
        await EnsureParentAsync(id, request.ParentId, cancellationToken);

        category.Name = request.Name.Trim();
        category.ParentId = request.ParentId;
        // The slug is part of storefront URLs: it changes only when the client sends a new one.
        category.Slug = request.Slug ?? category.Slug;
        category.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await SaveWithUniqueSlugAsync(category, slugGiven: true, cancellationToken);
        return await GetAsync(id.ToString(), cancellationToken);
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var category = await db.Categories.SingleOrDefaultAsync(c => c.Id == id, cancellationToken)
            ?? throw new NotFoundException("Category not found.");
        if (await db.Categories.AnyAsync(c => c.ParentId == id, cancellationToken))
        {
            throw new ConflictException("The category has sub-categories; move or delete them first.", "category-not-empty");
        }

        if (await db.Products.AnyAsync(p => p.CategoryId == id, cancellationToken))
        {
            throw new ConflictException("The category still has products; move or delete them first.", "category-not-empty");
        }

        db.Categories.Remove(category);
        db.Invalidates(CategoryTags);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            // A product or sub-category arrived between the checks and the delete; the foreign key said no.
            throw new ConflictException("The category is not empty.", "category-not-empty");
        }

    }

    private async Task EnsureParentAsync(Guid? self, Guid? parentId, CancellationToken cancellationToken)
    {
        if (parentId is not { } parent)
        {
            return;
        }

        if (!await ExistsAsync(parent, cancellationToken))
        {
            throw new RequestValidationException("parentId", "No category has this id.");
        }

        if (self is { } id && (await SubtreeIdsAsync(id, cancellationToken)).Contains(parent))
        {
            throw new RequestValidationException("parentId", "A category cannot be moved under itself or one of its descendants.");
        }
    }

    private async Task SaveWithUniqueSlugAsync(Category category, bool slugGiven, CancellationToken cancellationToken)
    {
        if (!slugGiven && await db.Categories.AnyAsync(c => c.Slug == category.Slug && c.Id != category.Id, cancellationToken))
        {
            category.Slug = Slugs.WithSuffix(category.Slug);
        }

        db.Invalidates(CategoryTags);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            throw new ConflictException($"The slug '{category.Slug}' is already used by another category.", "slug-taken");
        }

    }

    // A category written changes the tree, and which products a category filter finds.
    private static readonly string[] CategoryTags = [CacheKeys.Tags.Categories, CacheKeys.Tags.ProductLists];

    private async Task<CategoryIndex> GetIndexAsync(CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<CategoryIndex>(CacheKeys.CategoryTree, async (context, ct) =>
        {
            var all = await scopes.QueryAsync((reads, t) => reads.Categories.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(t), ct);
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
