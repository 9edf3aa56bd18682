using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>Forged, expired and misdirected access tokens all get 401 and never reach a handler.</summary>
public abstract class TokenAttackTests(ShopFactory shop)
{
    private static readonly SymmetricSecurityKey RealKey = new(Encoding.UTF8.GetBytes(ShopFactory.SigningKey));

    private static string Token(Guid userId, string role = "customer", string issuer = ShopFactory.Issuer, string audience = ShopFactory.Audience,
        DateTime? expires = null, SigningCredentials? credentials = null)
    {
        var now = DateTime.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = exp.AddMinutes(-15),
            NotBefore = exp.AddMinutes(-15),
            Expires = exp,
            Subject = new ClaimsIdentity([new Claim("sub", userId.ToString()), new Claim("role", role)]),
            SigningCredentials = credentials ?? new SigningCredentials(RealKey, SecurityAlgorithms.HmacSha256),
        });
    }

    private async Task<HttpStatusCode> GetMeWith(string token)
    {
        var client = shop.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.GetAsync("/api/v1/users/me");
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            await Expect.Problem(response, HttpStatusCode.Unauthorized);
            // Invalid, and not why: no error_description naming the issuer, the key or the expiry.
            Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        }

        return response.StatusCode;
    }

    [Fact]
    public async Task A_well_formed_token_minted_with_the_real_key_is_accepted()
    {
        // The control for every test below: only the one property under test differs.
        var user = await shop.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, await GetMeWith(Token(user.Id)));
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var user = await shop.NewUserAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(Token(user.Id, expires: DateTime.UtcNow.AddMinutes(-2))));
    }

    [Fact]
    public async Task A_token_for_another_audience_or_issuer_is_401()
    {
        var user = await shop.NewUserAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(Token(user.Id, audience: "some-other-api")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(Token(user.Id, issuer: "evil-issuer")));
    }

    [Fact]
    public async Task A_tampered_payload_is_401()
    {
        var user = await shop.NewUserAsync();
        var parts = user.AccessToken.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"customer\"", "\"admin\"", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(forged));
        var client = shop.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        await Expect.Problem(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_401()
    {
        var user = await shop.NewUserAsync();
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode($"{{\"sub\":\"{user.Id}\",\"role\":\"admin\",\"iss\":\"shop\",\"aud\":\"shop\",\"exp\":{exp}}}");

        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith($"{header}.{payload}."));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith($"{header}.{payload}"));
    }

    [Fact]
    public async Task A_token_signed_with_another_algorithm_or_key_is_401()
    {
        var user = await shop.NewUserAsync();
        // Same secret, HS512: refused because only HS256 is allowed (no algorithm confusion).
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(Token(user.Id, credentials: new SigningCredentials(RealKey, SecurityAlgorithms.HmacSha512))));
        var otherKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("a-completely-different-signing-key-0123456789"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(Token(user.Id, credentials: new SigningCredentials(otherKey, SecurityAlgorithms.HmacSha256))));
    }

    [Fact]
    public async Task A_token_for_a_user_that_does_not_exist_is_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(Token(Guid.NewGuid(), role: "admin")));
    }

    [Theory]
    [InlineData("Bearer", "Bearer")]
    [InlineData("Bearer not.a.jwt", "Bearer error=\"invalid_token\"")]
    [InlineData("Basic dXNlcjpwYXNz", "Bearer")]
    public async Task Garbage_authorization_headers_are_401(string header, string challenge)
    {
        var client = shop.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        var response = await client.GetAsync("/api/v1/users/me");
        await Expect.Problem(response, HttpStatusCode.Unauthorized);
        Assert.Equal(challenge, response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_deactivated_users_token_is_401_without_saying_why()
    {
        var admin = await shop.AdminAsync();
        var user = await shop.NewUserAsync();
        await Expect.Status(await admin.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { isActive = false }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeWith(user.AccessToken));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class TokenAttackTestsOnSqlite(SqliteShop shop) : TokenAttackTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class TokenAttackTestsOnPostgres(PostgresShop shop) : TokenAttackTests(shop);
