using Microsoft.EntityFrameworkCore;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Catalog;

/// <summary>Creating, moving and deleting categories (admins); reads are <see cref="CategoryTree"/>'s.</summary>
public sealed class CategoryService(ShopDbContext db, CategoryTree tree, TimeProvider clock)
{
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
        return await tree.GetAsync(id.ToString(), cancellationToken);
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

        if (self is { } id && (await tree.SubtreeIdsAsync(id, cancellationToken)).Contains(parent))
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
}
