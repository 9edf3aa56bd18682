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

public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    [Range(1, int.MaxValue)] public int GlobalPerMinute { get; set; } = 600;
    [Range(1, int.MaxValue)] public int RegistrationsPerHour { get; set; } = 20;

    /// <summary>Failed logins at one account from one client address per window; then 429 for that address at that account.</summary>
    [Range(1, int.MaxValue)] public int LoginFailuresPerAccount { get; set; } = 5;

    /// <summary>Failed logins at one account from all addresses together before every attempt at it waits a growing delay.</summary>
    [Range(1, int.MaxValue)] public int LoginFailuresPerAccountAcrossAddresses { get; set; } = 20;

    /// <summary>Failed logins from one client address, at any accounts, before its attempts wait a growing delay.</summary>
    [Range(1, int.MaxValue)] public int LoginFailuresPerAddress { get; set; } = 20;

    /// <summary>The window of the per-account-and-address limit; the delays are forgotten this long after the last failure.</summary>
    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest growing delay (they run 1 s, 2 s, 4 s ... up to this).</summary>
    public TimeSpan LoginFailureMaxDelay { get; set; } = TimeSpan.FromMinutes(1);
}

public static class UserLimits
{
    public const int FullName = 100;
    public const int Phone = 32;
    public const int PasswordMin = 8;
    public const int PasswordMax = 128;
}

public static class AddressLimits
{
    public const int FullName = 100;
    public const int Line = 200;
    public const int City = 100;
    public const int Region = 100;
    public const int PostalCode = 20;
}
