using Shop.Core.Common;

namespace Shop.Core.Users;

// Requests carry only what a client may set: no id, role, isActive or hash (mass assignment).
public sealed record RegisterRequest(string Email, string Password, string FullName);

public sealed record LoginRequest(string Email, string Password);

public sealed record RefreshRequest(string RefreshToken);

public sealed record UpdateProfileRequest(string? FullName, string? Phone);

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

public sealed record AdminUpdateUserRequest(string? Role, bool? IsActive);

public sealed record UserListQuery(string? Email, string? Role, int? Page, int? PageSize)
{
    public PageQuery Paging => new(Page, PageSize);
}

public sealed record AddressRequest(
    string FullName, string Line1, string? Line2, string City, string? Region, string PostalCode, string Country);

public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);

public sealed record UserResponse(
    Guid Id, string Email, string FullName, string? Phone, string Role, bool IsActive, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record AddressResponse(
    Guid Id, string FullName, string Line1, string? Line2, string City, string? Region, string PostalCode, string Country,
    DateTime CreatedAt, DateTime UpdatedAt);

public static class UserMappings
{
    public static UserResponse ToResponse(this User u) =>
        new(u.Id, u.Email, u.FullName, u.Phone, u.Role, u.IsActive, u.CreatedAt, u.UpdatedAt);

    public static AddressResponse ToResponse(this Address a) =>
        new(a.Id, a.FullName, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country, a.CreatedAt, a.UpdatedAt);

    /// <summary>Copies a validated request onto an address, trimming text and upper-casing the country.</summary>
    public static void Apply(this Address a, AddressRequest r)
    {
        a.FullName = r.FullName.Trim();
        a.Line1 = r.Line1.Trim();
        a.Line2 = NullIfBlank(r.Line2);
        a.City = r.City.Trim();
        a.Region = NullIfBlank(r.Region);
        a.PostalCode = r.PostalCode.Trim();
        a.Country = r.Country.Trim().ToUpperInvariant();
    }

    public static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
