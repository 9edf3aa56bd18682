using Microsoft.EntityFrameworkCore;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Users;

/// <summary>Profiles, and the admin's view of all users.</summary>
public sealed class UserService(ShopDbContext db, UserStatusCache statusCache, TimeProvider clock)
{
    public async Task<UserResponse> GetAsync(Guid userId, CancellationToken cancellationToken) =>
        (await FindAsync(userId, cancellationToken)).ToResponse();

    public async Task<UserResponse> UpdateProfileAsync(Guid userId, UpdateProfileRequest request, CancellationToken cancellationToken)
    {
        var user = await FindAsync(userId, cancellationToken);
        if (request.FullName is not null)
        {
            user.FullName = request.FullName.Trim();
        }

        if (request.Phone is not null)
        {
            // An empty string clears the phone number; null leaves it as it is.
            user.Phone = UserMappings.NullIfBlank(request.Phone);
        }

        user.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return user.ToResponse();
    }

    public async Task<PagedResult<UserResponse>> ListAsync(UserListQuery query, CancellationToken cancellationToken)
    {
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Email))
        {
            var email = User.Normalize(query.Email);
            users = users.Where(u => u.NormalizedEmail.Contains(email));
        }

        if (query.Role is not null)
        {
            users = users.Where(u => u.Role == query.Role);
        }

        return await users.PageAsync(q => q.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id), query.Paging, u => u.ToResponse(), cancellationToken);
    }

    /// <summary>Changes a user's role or active flag. Deactivation also ends every session of that user.</summary>
    public async Task<UserResponse> AdminUpdateAsync(Guid actingAdminId, Guid userId, AdminUpdateUserRequest request, CancellationToken cancellationToken)
    {
        var user = await FindAsync(userId, cancellationToken);
        if (userId == actingAdminId && (request.IsActive == false || request.Role is Roles.Customer))
        {
            // The last admin locking themselves out would leave nobody to undo it.
            throw new ConflictException("Admins cannot deactivate or demote themselves; ask another admin.", "self-demotion");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        user.Role = request.Role ?? user.Role;
        user.IsActive = request.IsActive ?? user.IsActive;
        user.UpdatedAt = now;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (!user.IsActive)
        {
            await AuthService.RevokeAllAsync(db, userId, RevocationReasons.Deactivated, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await statusCache.ForgetAsync(userId, cancellationToken);
        return user.ToResponse();
    }

    private async Task<User> FindAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
        ?? throw new NotFoundException("User not found.");
}
