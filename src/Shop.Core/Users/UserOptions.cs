using System.ComponentModel.DataAnnotations;

namespace Shop.Core.Users;

public sealed class JwtOptions
{
    public const string Section = "Jwt";

    /// <summary>HMAC-SHA256 key, at least 32 bytes of UTF-8. Required outside Development.</summary>
    public string? SigningKey { get; set; }

    [Required] public string Issuer { get; set; } = "shop";
    [Required] public string Audience { get; set; } = "shop";
    [Range(1, 1440)] public int AccessTokenMinutes { get; set; } = 15;
    [Range(1, 365)] public int RefreshTokenDays { get; set; } = 30;
}

public sealed class PasswordOptions
{
    public const string Section = "Passwords";

    /// <summary>bcrypt cost; 11 is the floor (about 0.1 s a hash on a 2-core machine).</summary>
    [Range(11, 16)] public int BcryptWorkFactor { get; set; } = 11;
}

public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? Email { get; set; }
    public string? Password { get; set; }
}
