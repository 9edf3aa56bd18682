using System.ComponentModel.DataAnnotations;

namespace Shop.Core.Users;

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
