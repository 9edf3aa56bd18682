namespace Shop.Core.Users;

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
