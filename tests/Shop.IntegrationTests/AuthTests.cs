using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

public abstract class AuthTests(ShopFactory shop)
{
    private static string NewEmail() => $"auth-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Register_creates_a_customer_and_ignores_fields_that_try_to_set_role_id_or_active()
    {
        var client = shop.Client();
        var email = NewEmail();
        var forgedId = Guid.NewGuid();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new
        {
            email, password = "long-enough-1", fullName = "Mallory", role = "admin", isActive = false, id = forgedId, passwordHash = "x",
        });

        var user = await Expect.Json(response, HttpStatusCode.Created);
        Assert.Equal("customer", user.GetProperty("role").GetString());
        Assert.True(user.GetProperty("isActive").GetBoolean());
        Assert.NotEqual(forgedId, user.GetProperty("id").GetGuid());
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal($"/api/v1/users/{user.GetProperty("id").GetGuid()}", response.Headers.Location?.ToString());
        Assert.True(user.TryGetProperty("createdAt", out _));
        Assert.False(user.TryGetProperty("passwordHash", out _));

        var admin = await shop.AdminAsync();
        var stored = await Expect.Json(await admin.Client.GetAsync($"/api/v1/users/{user.GetProperty("id").GetGuid()}"));
        Assert.Equal("customer", stored.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Register_with_an_email_that_differs_only_in_case_is_409_and_creates_nothing()
    {
        var client = shop.Client();
        var email = NewEmail();
        await Expect.Status(await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "long-enough-1", fullName = "A" }), HttpStatusCode.Created);

        var again = await client.PostAsJsonAsync("/api/v1/auth/register", new { email = "  " + email.ToUpperInvariant(), password = "other-pass-2", fullName = "B" });

        await Expect.Problem(again, HttpStatusCode.Conflict);
        await ShopFactory.LogInAsync(shop.Client(), Guid.Empty, email, "long-enough-1");
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email, password = "other-pass-2" }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_exactly_one_account()
    {
        var email = NewEmail();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email = i % 2 == 0 ? email : email.ToUpperInvariant(), password = "long-enough-1", fullName = "Racer" })));

        Assert.Equal(1, attempts.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, attempts.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plainaddress")]
    [InlineData("no-dot@domain")]
    [InlineData("two@@example.com")]
    [InlineData("spa ce@example.com")]
    [InlineData("@example.com")]
    [InlineData("trailing@example.")]
    public async Task Register_with_an_invalid_email_is_400(string email)
    {
        var response = await shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email, password = "long-enough-1", fullName = "X" });
        await Expect.ValidationError(response, "email");
    }

    [Fact]
    public async Task Register_with_an_email_over_254_characters_is_400()
    {
        var email = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".com";
        var response = await shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email, password = "long-enough-1", fullName = "X" });
        await Expect.ValidationError(response, "email");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(129)]
    [InlineData(0)]
    public async Task Register_with_a_password_outside_8_to_128_characters_is_400(int length)
    {
        var email = NewEmail();
        var response = await shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email, password = new string('p', length), fullName = "X" });
        await Expect.ValidationError(response, "password");
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email, password = new string('p', Math.Max(length, 1)) }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Register_without_a_full_name_lists_every_bad_field()
    {
        var response = await shop.Client().PostAsJsonAsync("/api/v1/auth/register", new { email = "bad", password = "short" });
        var problem = await Expect.ValidationError(response, "fullName");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("password", out _));
    }

    [Fact]
    public async Task A_password_longer_than_72_bytes_is_not_truncated()
    {
        // bcrypt alone would see only the first 72 bytes: these two passwords would then be equal.
        var prefix = new string('x', 80);
        var user = await shop.NewUserAsync(prefix + "-one");

        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = prefix + "-two" }), HttpStatusCode.Unauthorized);
        await ShopFactory.LogInAsync(shop.Client(), user.Id, user.Email, prefix + "-one");
    }

    [Fact]
    public async Task A_128_character_multibyte_password_works()
    {
        var password = string.Concat(Enumerable.Repeat("é€", 64));
        var user = await shop.NewUserAsync(password);
        await ShopFactory.LogInAsync(shop.Client(), user.Id, user.Email, password);
    }

    [Theory]
    [InlineData("{\"email\": ")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"email\": 12, \"password\": \"long-enough-1\", \"fullName\": \"X\"}")]
    [InlineData("{\"email\": \"a@example.com\", \"password\": [\"long-enough-1\"], \"fullName\": \"X\"}")]
    [InlineData("")]
    public async Task A_malformed_or_mistyped_body_is_a_400_problem(string body)
    {
        var response = await shop.Client().PostAsync("/api/v1/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));
        await Expect.Problem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_is_413()
    {
        var huge = JsonSerializer.Serialize(new { email = NewEmail(), password = "long-enough-1", fullName = new string('n', 1024 * 1024) });
        var response = await shop.Client().PostAsync("/api/v1/auth/register", new StringContent(huge, Encoding.UTF8, "application/json"));
        await Expect.Problem(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Login_returns_a_bearer_token_pair_that_opens_the_profile()
    {
        var user = await shop.NewUserAsync();
        var login = await Expect.Json(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email.ToUpperInvariant(), password = user.Password }));

        Assert.Equal("Bearer", login.GetProperty("tokenType").GetString());
        Assert.Equal(900, login.GetProperty("expiresIn").GetInt32());
        Assert.True(login.GetProperty("refreshToken").GetString()!.Length >= 43); // 256 bits, base64url

        var me = await Expect.Json(await user.Client.GetAsync("/api/v1/users/me"));
        Assert.Equal(user.Email, me.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        var user = await shop.NewUserAsync();
        var wrongPassword = await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "not-the-password" }), HttpStatusCode.Unauthorized);
        var unknownEmail = await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = NewEmail(), password = "not-the-password" }), HttpStatusCode.Unauthorized);

        Assert.Equal(wrongPassword.GetProperty("detail").GetString(), unknownEmail.GetProperty("detail").GetString());
        Assert.Equal(wrongPassword.GetProperty("type").GetString(), unknownEmail.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Refresh_rotates_and_a_replayed_token_revokes_the_whole_session()
    {
        var user = await shop.NewUserAsync();
        var client = shop.Client();

        var first = await Expect.Json(await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken }));
        var second = first.GetProperty("refreshToken").GetString()!;
        Assert.NotEqual(user.RefreshToken, second);
        Assert.Equal("Bearer", first.GetProperty("tokenType").GetString());

        // The rotated token is replayed: 401, and the token that replaced it dies with the session.
        await Expect.Problem(await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken }), HttpStatusCode.Unauthorized);
        await Expect.Problem(await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second }), HttpStatusCode.Unauthorized);

        // Another login session of the same user is untouched.
        var other = await ShopFactory.LogInAsync(shop.Client(), user.Id, user.Email, user.Password);
        await Expect.Status(await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = other.RefreshToken }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_mint_at_most_one_live_session()
    {
        var user = await shop.NewUserAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken })));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.OK) <= 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    public async Task Refresh_with_an_unknown_or_empty_token_is_rejected(string token)
    {
        var response = await shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = token });
        await Expect.Problem(response, token.Length == 0 ? HttpStatusCode.BadRequest : HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_revokes_that_refresh_token_only()
    {
        var user = await shop.NewUserAsync();
        var second = await ShopFactory.LogInAsync(shop.Client(), user.Id, user.Email, user.Password);

        await Expect.Status(await user.Client.PostAsJsonAsync("/api/v1/auth/logout", new { refreshToken = user.RefreshToken }), HttpStatusCode.NoContent);

        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken }), HttpStatusCode.Unauthorized);
        await Expect.Status(await shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second.RefreshToken }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_cannot_revoke_another_users_token_and_needs_authentication()
    {
        var victim = await shop.NewUserAsync();
        var attacker = await shop.NewUserAsync();

        await Expect.Status(await attacker.Client.PostAsJsonAsync("/api/v1/auth/logout", new { refreshToken = victim.RefreshToken }), HttpStatusCode.NoContent);
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/logout", new { refreshToken = victim.RefreshToken }), HttpStatusCode.Unauthorized);

        await Expect.Status(await shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = victim.RefreshToken }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Password_change_needs_the_current_password_and_revokes_every_refresh_token()
    {
        var user = await shop.NewUserAsync();
        var otherSession = await ShopFactory.LogInAsync(shop.Client(), user.Id, user.Email, user.Password);

        await Expect.ValidationError(await user.Client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = "wrong-password", newPassword = "brand-new-pass-1" }), "currentPassword");
        await Expect.ValidationError(await user.Client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = user.Password, newPassword = "short" }), "newPassword");
        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = user.Password, newPassword = "brand-new-pass-1" }), HttpStatusCode.Unauthorized);

        await Expect.Status(await user.Client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = user.Password, newPassword = "brand-new-pass-1" }), HttpStatusCode.NoContent);

        foreach (var token in new[] { user.RefreshToken, otherSession.RefreshToken })
        {
            await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = token }), HttpStatusCode.Unauthorized);
        }

        await Expect.Problem(await shop.Client().PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password }), HttpStatusCode.Unauthorized);
        await ShopFactory.LogInAsync(shop.Client(), user.Id, user.Email, "brand-new-pass-1");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class AuthTestsOnSqlite(SqliteShop shop) : AuthTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class AuthTestsOnPostgres(PostgresShop shop) : AuthTests(shop);
