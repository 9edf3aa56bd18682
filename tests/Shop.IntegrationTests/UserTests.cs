using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

public abstract class UserTests(ShopFactory shop)
{
    private static object Address(string country = "DE", string line1 = "Hauptstrasse 1") =>
        new { fullName = "Erika Mustermann", line1, line2 = (string?)null, city = "Berlin", region = "BE", postalCode = "10115", country };

    [Fact]
    public async Task Profile_needs_a_token()
    {
        await Expect.Problem(await shop.Client().GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
        await Expect.Problem(await shop.Client().PatchAsJsonAsync("/api/v1/users/me", new { fullName = "x" }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Patch_me_changes_name_and_phone_but_never_role_email_or_active()
    {
        var user = await shop.NewUserAsync();
        var updated = await Expect.Json(await user.Client.PatchAsJsonAsync("/api/v1/users/me",
            new { fullName = "  New Name ", phone = "+49 30 1234567", role = "admin", isActive = false, email = "hijack@example.com", id = Guid.NewGuid() }));

        Assert.Equal("New Name", updated.GetProperty("fullName").GetString());
        Assert.Equal("+49 30 1234567", updated.GetProperty("phone").GetString());
        Assert.Equal("customer", updated.GetProperty("role").GetString());
        Assert.Equal(user.Email, updated.GetProperty("email").GetString());
        Assert.Equal(user.Id, updated.GetProperty("id").GetGuid());

        // Leaving a field out keeps it; an empty phone clears it.
        var partial = await Expect.Json(await user.Client.PatchAsJsonAsync("/api/v1/users/me", new { phone = "" }));
        Assert.Equal("New Name", partial.GetProperty("fullName").GetString());
        Assert.Equal(JsonValueKind.Null, partial.GetProperty("phone").ValueKind);

        await Expect.Status(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("{\"phone\": \"call me maybe\"}", "phone")]
    [InlineData("{\"fullName\": \"   \"}", "fullName")]
    public async Task Patch_me_with_bad_values_is_400_and_changes_nothing(string body, string field)
    {
        var user = await shop.NewUserAsync();
        var response = await user.Client.PatchAsync("/api/v1/users/me", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await Expect.ValidationError(response, field);
        var me = await Expect.Json(await user.Client.GetAsync("/api/v1/users/me"));
        Assert.Equal("Test User", me.GetProperty("fullName").GetString());
    }

    [Fact]
    public async Task Addresses_can_be_created_listed_replaced_and_deleted()
    {
        var user = await shop.NewUserAsync();
        var created = await user.Client.PostAsJsonAsync("/api/v1/users/me/addresses", Address(country: "de"));
        var address = await Expect.Json(created, HttpStatusCode.Created);
        var id = address.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/users/me/addresses/{id}", created.Headers.Location?.ToString());
        Assert.Equal("DE", address.GetProperty("country").GetString());
        foreach (var field in new[] { "fullName", "line1", "line2", "city", "region", "postalCode", "country" })
        {
            Assert.True(address.TryGetProperty(field, out _), field);
        }

        // A list like every other: the paging envelope.
        var list = await Expect.Json(await user.Client.GetAsync("/api/v1/users/me/addresses"));
        Assert.Equal(id, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal((1, 20, 1, 1), (list.GetProperty("page").GetInt32(), list.GetProperty("pageSize").GetInt32(), list.GetProperty("totalCount").GetInt32(), list.GetProperty("totalPages").GetInt32()));
        await Expect.ValidationError(await user.Client.GetAsync("/api/v1/users/me/addresses?pageSize=101"), "pageSize");

        var replaced = await Expect.Json(await user.Client.PutAsJsonAsync($"/api/v1/users/me/addresses/{id}", Address(country: "FR", line1: "1 Rue de Rivoli")));
        Assert.Equal("1 Rue de Rivoli", replaced.GetProperty("line1").GetString());
        Assert.Equal("FR", replaced.GetProperty("country").GetString());

        await Expect.Status(await user.Client.DeleteAsync($"/api/v1/users/me/addresses/{id}"), HttpStatusCode.NoContent);
        await Expect.Problem(await user.Client.GetAsync($"/api/v1/users/me/addresses/{id}"), HttpStatusCode.NotFound);
        Assert.Empty((await Expect.Json(await user.Client.GetAsync("/api/v1/users/me/addresses"))).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("USA", "country")]
    [InlineData("XX", "country")]
    [InlineData("", "country")]
    public async Task An_address_with_a_bad_country_is_400(string country, string field)
    {
        var user = await shop.NewUserAsync();
        await Expect.ValidationError(await user.Client.PostAsJsonAsync("/api/v1/users/me/addresses", Address(country)), field);
        Assert.Empty((await Expect.Json(await user.Client.GetAsync("/api/v1/users/me/addresses"))).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task An_address_missing_required_lines_is_400()
    {
        var user = await shop.NewUserAsync();
        var response = await user.Client.PostAsJsonAsync("/api/v1/users/me/addresses", new { fullName = "A", country = "US" });
        var problem = await Expect.ValidationError(response, "line1");
        Assert.True(problem.GetProperty("errors").TryGetProperty("city", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("postalCode", out _));
    }

    [Fact]
    public async Task Another_users_address_is_404_on_every_route_and_stays_untouched()
    {
        var owner = await shop.NewUserAsync();
        var other = await shop.NewUserAsync();
        var id = (await Expect.Json(await owner.Client.PostAsJsonAsync("/api/v1/users/me/addresses", Address()), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        await Expect.Problem(await other.Client.GetAsync($"/api/v1/users/me/addresses/{id}"), HttpStatusCode.NotFound);
        await Expect.Problem(await other.Client.PutAsJsonAsync($"/api/v1/users/me/addresses/{id}", Address(line1: "Stolen 1")), HttpStatusCode.NotFound);
        await Expect.Problem(await other.Client.DeleteAsync($"/api/v1/users/me/addresses/{id}"), HttpStatusCode.NotFound);
        Assert.Empty((await Expect.Json(await other.Client.GetAsync("/api/v1/users/me/addresses"))).GetProperty("items").EnumerateArray());

        var mine = await Expect.Json(await owner.Client.GetAsync($"/api/v1/users/me/addresses/{id}"));
        Assert.Equal("Hauptstrasse 1", mine.GetProperty("line1").GetString());
    }

    [Fact]
    public async Task A_customer_on_admin_routes_is_403_and_anonymous_is_401()
    {
        var customer = await shop.NewUserAsync();
        await Expect.Problem(await customer.Client.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.GetAsync($"/api/v1/users/{customer.Id}"), HttpStatusCode.Forbidden);
        await Expect.Problem(await customer.Client.PatchAsJsonAsync($"/api/v1/users/{customer.Id}", new { role = "admin" }), HttpStatusCode.Forbidden);
        await Expect.Problem(await shop.Client().GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);

        var me = await Expect.Json(await customer.Client.GetAsync("/api/v1/users/me"));
        Assert.Equal("customer", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Admin_lists_users_filtered_by_email_and_role_with_paging()
    {
        var admin = await shop.AdminAsync();
        var marker = $"list-{Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++)
        {
            await Expect.Status(await shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email = $"{marker}-{i}@example.com", password = "long-enough-1", fullName = $"L{i}" }), HttpStatusCode.Created);
        }

        var page = await Expect.Json(await admin.Client.GetAsync($"/api/v1/users?email={marker.ToUpperInvariant()}&role=customer&page=2&pageSize=2"));
        Assert.Equal(3, page.GetProperty("totalCount").GetInt32());
        Assert.Equal(2, page.GetProperty("totalPages").GetInt32());
        Assert.Equal(2, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Single(page.GetProperty("items").EnumerateArray());

        var admins = await Expect.Json(await admin.Client.GetAsync("/api/v1/users?role=admin"));
        Assert.Contains(admins.GetProperty("items").EnumerateArray(), u => u.GetProperty("email").GetString() == ShopFactory.AdminEmail);
        Assert.All(admins.GetProperty("items").EnumerateArray(), u => Assert.Equal("admin", u.GetProperty("role").GetString()));
    }

    [Theory]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("role=superuser", "role")]
    public async Task Admin_user_list_rejects_bad_paging_and_filters(string query, string field)
    {
        var admin = await shop.AdminAsync();
        await Expect.ValidationError(await admin.Client.GetAsync($"/api/v1/users?{query}"), field);
    }

    [Fact]
    public async Task Admin_user_list_rejects_a_non_numeric_page()
    {
        var admin = await shop.AdminAsync();
        await Expect.Problem(await admin.Client.GetAsync("/api/v1/users?page=abc"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Promotion_applies_to_a_token_already_issued()
    {
        var admin = await shop.AdminAsync();
        var user = await shop.NewUserAsync();
        await Expect.Status(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden);

        var promoted = await Expect.Json(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { role = "admin" }));
        Assert.Equal("admin", promoted.GetProperty("role").GetString());

        await Expect.Status(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        await Expect.Status(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { role = "customer" }), HttpStatusCode.OK);
        await Expect.Status(await user.Client.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_deactivated_user_can_neither_log_in_nor_refresh_nor_use_their_access_token()
    {
        var admin = await shop.AdminAsync();
        var user = await shop.NewUserAsync();
        await Expect.Status(await user.Client.GetAsync("/api/v1/users/me"), HttpStatusCode.OK);

        var deactivated = await Expect.Json(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { isActive = false }));
        Assert.False(deactivated.GetProperty("isActive").GetBoolean());

        await Expect.Problem(await user.Client.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken }), HttpStatusCode.Unauthorized);
        // The right password gets exactly the wrong password's answer: nothing confirms it.
        var rightPassword = await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password }), HttpStatusCode.Unauthorized);
        var wrongPassword = await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "not-the-password" }), HttpStatusCode.Unauthorized);
        Assert.Equal(wrongPassword.GetProperty("detail").GetString(), rightPassword.GetProperty("detail").GetString());
        Assert.Equal(wrongPassword.GetProperty("type").GetString(), rightPassword.GetProperty("type").GetString());

        // Reactivation lets them log in again; the old refresh token stays revoked.
        await Expect.Status(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { isActive = true }), HttpStatusCode.OK);
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken }), HttpStatusCode.Unauthorized);
        await ShopFactory.LogInAsync(shop.Client(), user.Id, user.Email, user.Password);
    }

    [Fact]
    public async Task Admin_update_validates_and_refuses_self_demotion()
    {
        var admin = await shop.AdminAsync();
        var user = await shop.NewUserAsync();
        await Expect.ValidationError(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { role = "root" }), "role");
        await Expect.Problem(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { }), HttpStatusCode.BadRequest);
        await Expect.Problem(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{Guid.NewGuid()}", new { isActive = false }), HttpStatusCode.NotFound);

        var self = (await Expect.Json(await admin.Client.GetAsync("/api/v1/users/me"))).GetProperty("id").GetGuid();
        await Expect.Problem(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{self}", new { isActive = false }), HttpStatusCode.Conflict);
        await Expect.Problem(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{self}", new { role = "customer" }), HttpStatusCode.Conflict);
        await Expect.Status(await admin.Client.GetAsync("/api/v1/users"), HttpStatusCode.OK);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class UserTestsOnSqlite(SqliteShop shop) : UserTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class UserTestsOnPostgres(PostgresShop shop) : UserTests(shop);
