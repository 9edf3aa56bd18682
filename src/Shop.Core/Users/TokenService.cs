using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shop.Core.Common;

namespace Shop.Core.Users;

/// <summary>Claim names in our access tokens; inbound claim mapping is off, so these are what the API reads.</summary>
public static class ShopClaims
{
    public const string Subject = JwtRegisteredClaimNames.Sub;
    public const string Email = JwtRegisteredClaimNames.Email;
    public const string Role = "role";
}

/// <summary>
/// The HMAC key that signs access tokens. Outside Development it must be configured; in
/// Development a random key is generated once and kept in the data directory so that tokens
/// survive a restart.
/// </summary>
public sealed class JwtSigningKey
{
    public const int MinimumBytes = 32;
    public const string DevelopmentKeyFile = "jwt-signing.key";

    public JwtSigningKey(IOptions<JwtOptions> options, IHostEnvironment environment, IOptions<StorageOptions> storage)
    {
        var configured = options.Value.SigningKey;
        var bytes = string.IsNullOrEmpty(configured)
            ? LoadOrCreateDevelopmentKey(Path.Combine(storage.Value.ResolveDataDirectory(environment), DevelopmentKeyFile))
            : Encoding.UTF8.GetBytes(configured);
        Key = new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] };
    }

    public SymmetricSecurityKey Key { get; }

    private static byte[] LoadOrCreateDevelopmentKey(string path)
    {
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(64);
        try
        {
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var file = new FileStream(path, fileOptions);
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
    }
}

/// <summary>Refuses to start outside Development without a strong signing key.</summary>
public sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var key = options.SigningKey;
        if (string.IsNullOrEmpty(key))
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"Jwt:SigningKey is required outside Development (environment '{environment.EnvironmentName}'). " +
                    $"Set it to a random secret of at least {JwtSigningKey.MinimumBytes} bytes, e.g. Jwt__SigningKey=$(openssl rand -base64 48).");
        }

        return Encoding.UTF8.GetByteCount(key) < JwtSigningKey.MinimumBytes
            ? ValidateOptionsResult.Fail($"Jwt:SigningKey is too short: HMAC-SHA256 needs at least {JwtSigningKey.MinimumBytes} bytes.")
            : ValidateOptionsResult.Success;
    }
}

public sealed record IssuedAccessToken(string Token, int ExpiresInSeconds);

public sealed class TokenService(IOptions<JwtOptions> options, JwtSigningKey signingKey, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public IssuedAccessToken CreateAccessToken(User user)
    {
        var jwt = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var lifetime = TimeSpan.FromMinutes(jwt.AccessTokenMinutes);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim(ShopClaims.Subject, user.Id.ToString()),
                new Claim(ShopClaims.Email, user.Email),
                new Claim(ShopClaims.Role, user.Role),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });
        return new IssuedAccessToken(token, (int)lifetime.TotalSeconds);
    }

    /// <summary>A 256-bit random refresh token (base64url) and the SHA-256 hash that is all we store.</summary>
    public static (string Token, string Hash) NewRefreshToken()
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (token, HashRefreshToken(token));
    }

    // A plain SHA-256 is enough: the token has 256 bits of entropy, so there is nothing to brute-force.
    public static string HashRefreshToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
