using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Users;

public sealed record UserStatus(bool IsActive, string Role);

/// <summary>
/// Whether a token's user is still active, and with which role, checked on every authenticated
/// request. Cached for <see cref="Lifetime"/>, so that a deactivated user's still-valid access token
/// stops working within that time on every process, and at once on the process that deactivated it.
/// </summary>
public sealed class UserStatusCache(IFusionCache cache, IServiceScopeFactory scopes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private static readonly UserStatus Missing = new(false, Roles.Customer);

    public ValueTask<UserStatus> GetAsync(Guid userId, CancellationToken cancellationToken) =>
        cache.GetOrSetAsync<UserStatus>(
            CacheKeys.UserStatus(userId),
            async (_, ct) => await scopes.QueryAsync((reads, t) => reads.Users.AsNoTracking()
                .Where(u => u.Id == userId)
                .Select(u => new UserStatus(u.IsActive, u.Role))
                .SingleOrDefaultAsync(t), ct) ?? Missing,
            options => options.SetDuration(Lifetime),
            cancellationToken);

    public ValueTask ForgetAsync(Guid userId, CancellationToken cancellationToken) =>
        cache.RemoveAsync(CacheKeys.UserStatus(userId), token: cancellationToken);
}
