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
