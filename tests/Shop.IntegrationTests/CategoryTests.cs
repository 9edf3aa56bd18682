using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

public abstract class CategoryTests(ShopFactory shop)
{
    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];

    [Fact]
    public async Task The_tree_nests_any_depth_and_categories_are_found_by_id_or_slug()
    {
        var admin = await shop.AdminAsync();
        var rootName = Unique("Garden");
        var root = await admin.CreateCategoryAsync(rootName);
        var child = await admin.CreateCategoryAsync(Unique("Tools"), root);
        var grandchild = await admin.CreateCategoryAsync(Unique("Shovels"), child);
        var greatGrandchild = await admin.CreateCategoryAsync(Unique("Spades"), grandchild);

        var tree = await Expect.Json(await shop.Client().GetAsync("/api/v1/categories"));
        var rootNode = tree.EnumerateArray().Single(c => c.GetProperty("id").GetGuid() == root);
        Assert.Equal(JsonValueKind.Null, rootNode.GetProperty("parentId").ValueKind);
        var level2 = Assert.Single(rootNode.GetProperty("children").EnumerateArray());
        Assert.Equal(child, level2.GetProperty("id").GetGuid());
        Assert.Equal(root, level2.GetProperty("parentId").GetGuid());
        var level3 = Assert.Single(level2.GetProperty("children").EnumerateArray());
        var level4 = Assert.Single(level3.GetProperty("children").EnumerateArray());
        Assert.Equal(greatGrandchild, level4.GetProperty("id").GetGuid());

        var slug = rootNode.GetProperty("slug").GetString()!;
        Assert.Matches("^garden-[a-z0-9]+$", slug);
        var bySlug = await Expect.Json(await shop.Client().GetAsync($"/api/v1/categories/{slug}"));
        var byId = await Expect.Json(await shop.Client().GetAsync($"/api/v1/categories/{root}"));
        Assert.Equal(root, bySlug.GetProperty("id").GetGuid());
        Assert.Equal(rootName, byId.GetProperty("name").GetString());
        await Expect.Problem(await shop.Client().GetAsync("/api/v1/categories/no-such-category"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_explicit_duplicate_slug_is_409_and_a_derived_one_gets_a_suffix()
    {
        var admin = await shop.AdminAsync();
        var slug = $"unique-{Guid.NewGuid():N}";
        await admin.CreateCategoryAsync("First", slug: slug);
        await Expect.Problem(await admin.Client.PostAsJsonAsync("/api/v1/categories", new { name = "Second", slug }), HttpStatusCode.Conflict);

        var name = Unique("Same Name");
        var first = await Expect.Json(await admin.Client.PostAsJsonAsync("/api/v1/categories", new { name }), HttpStatusCode.Created);
        var second = await Expect.Json(await admin.Client.PostAsJsonAsync("/api/v1/categories", new { name }), HttpStatusCode.Created);
        Assert.NotEqual(first.GetProperty("slug").GetString(), second.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Bad_category_input_is_400_and_creates_nothing()
    {
        var admin = await shop.AdminAsync();
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/categories", new { name = "  " }), "name");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/categories", new { name = "X", slug = "Not A Slug" }), "slug");
        await Expect.ValidationError(await admin.Client.PostAsJsonAsync("/api/v1/categories", new { name = "Orphan", parentId = Guid.NewGuid() }), "parentId");
    }

    [Fact]
    public async Task A_category_cannot_move_under_itself_or_a_descendant()
    {
        var admin = await shop.AdminAsync();
        var root = await admin.CreateCategoryAsync(Unique("Loop"));
        var child = await admin.CreateCategoryAsync(Unique("Inner"), root);

        await Expect.ValidationError(await admin.Client.PutAsJsonAsync($"/api/v1/categories/{root}", new { name = "Loop", parentId = child }), "parentId");
        await Expect.ValidationError(await admin.Client.PutAsJsonAsync($"/api/v1/categories/{root}", new { name = "Loop", parentId = root }), "parentId");

        var moved = await Expect.Json(await admin.Client.PutAsJsonAsync($"/api/v1/categories/{child}", new { name = "Renamed" }));
        Assert.Equal(JsonValueKind.Null, moved.GetProperty("parentId").ValueKind);
        Assert.Equal("Renamed", moved.GetProperty("name").GetString());
        Assert.StartsWith("inner-", moved.GetProperty("slug").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_category_with_children_or_products_is_409()
    {
        var admin = await shop.AdminAsync();
        var parent = await admin.CreateCategoryAsync(Unique("Parent"));
        var child = await admin.CreateCategoryAsync(Unique("Child"), parent);
        var product = await admin.CreateProductAsync(categoryId: child);

        await Expect.Problem(await admin.Client.DeleteAsync($"/api/v1/categories/{parent}"), HttpStatusCode.Conflict);
        await Expect.Problem(await admin.Client.DeleteAsync($"/api/v1/categories/{child}"), HttpStatusCode.Conflict);

        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/products/{product}"), HttpStatusCode.NoContent);
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/categories/{child}"), HttpStatusCode.NoContent);
        await Expect.Status(await admin.Client.DeleteAsync($"/api/v1/categories/{parent}"), HttpStatusCode.NoContent);
        await Expect.Problem(await shop.Client().GetAsync($"/api/v1/categories/{parent}"), HttpStatusCode.NotFound);
        await Expect.Problem(await admin.Client.DeleteAsync($"/api/v1/categories/{parent}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_admins_write_categories()
    {
        var customer = await shop.NewUserAsync();
        var admin = await shop.AdminAsync();
        var id = await admin.CreateCategoryAsync(Unique("Guarded"));

        await Expect.Problem(await customer.Client.PostAsJsonAsync("/api/v1/categories", new { name = "Nope" }), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.PutAsJsonAsync($"/api/v1/categories/{id}", new { name = "Nope" }), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.DeleteAsync($"/api/v1/categories/{id}"), HttpStatusCode.Forbidden);
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/categories", new { name = "Nope" }), HttpStatusCode.Unauthorized);
        await Expect.Status(await shop.Client().GetAsync($"/api/v1/categories/{id}"), HttpStatusCode.OK);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CategoryTestsOnSqlite(SqliteShop shop) : CategoryTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class CategoryTestsOnPostgres(PostgresShop shop) : CategoryTests(shop);
