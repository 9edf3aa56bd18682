namespace Shop.Core.Users;

public static class Roles
{
    public const string Customer = "customer";
    public const string Admin = "admin";

    public static bool IsKnown(string? role) => role is Customer or Admin;
}

public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Email { get; set; }

    /// <summary>Lower-cased email: the unique key, so that uniqueness is case-insensitive on every provider.</summary>
    public required string NormalizedEmail { get; set; }

    public required string PasswordHash { get; set; }
    public required string FullName { get; set; }
    public string? Phone { get; set; }
    public string Role { get; set; } = Roles.Customer;
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}

/// <summary>
/// One refresh token of a login session. Only the SHA-256 of the token is stored. Every token
/// minted by rotation keeps the session's <see cref="FamilyId"/> and absolute <see cref="ExpiresAt"/>.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid UserId { get; init; }
    public Guid FamilyId { get; init; }
    public required string TokenHash { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
}

public static class RevocationReasons
{
    public const string Rotated = "rotated";
    public const string Logout = "logout";
    public const string Reuse = "reuse_detected";
    public const string PasswordChanged = "password_changed";
    public const string Deactivated = "deactivated";
}

public sealed class Address
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid UserId { get; init; }
    public required string FullName { get; set; }
    public required string Line1 { get; set; }
    public string? Line2 { get; set; }
    public required string City { get; set; }
    public string? Region { get; set; }
    public required string PostalCode { get; set; }
    public required string Country { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}
