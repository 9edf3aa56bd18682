using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Events;
using Wolverine.EntityFrameworkCore;

namespace Shop.Core.Users;

/// <summary>Registration, login, refresh-token rotation with reuse detection, logout, password change.</summary>
public sealed class AuthService(
    ShopDbContext db,
    IDbContextOutbox<ShopDbContext> outbox,
    PasswordHasher hasher,
    TokenService tokens,
    LoginThrottle throttle,
    IOptions<JwtOptions> jwt,
    TimeProvider clock)
{
    private const string InvalidCredentials = "Invalid email or password.";
    private const string InvalidRefreshToken = "The refresh token is invalid, expired or revoked.";

    public async Task<UserResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        // A taken email is refused before the password is hashed: a refused registration costs no
        // bcrypt (about 0.1 s of CPU). The unique index still decides between concurrent ones.
        var email = User.Normalize(request.Email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == email, cancellationToken))
        {
            throw EmailTaken();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var user = new User
        {
            Email = request.Email.Trim(),
            NormalizedEmail = email,
            PasswordHash = hasher.Hash(request.Password),
            FullName = request.FullName.Trim(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AddUserAsync(db, user, cancellationToken);
        await outbox.PublishAsync(new UserRegistered(Guid.CreateVersion7(), now, new UserRegisteredData(user.Id, user.Email, user.FullName)));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        return user.ToResponse();
    }

    /// <summary>
    /// Inserts a user whose email the caller found free; the unique index on the normalized email
    /// decides between concurrent registrations (409 for the loser).
    /// </summary>
    internal static async Task AddUserAsync(ShopDbContext db, User user, CancellationToken cancellationToken)
    {
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.Entry(user).State = EntityState.Detached;
            throw EmailTaken();
        }
    }

    private static ConflictException EmailTaken() => new("An account with this email already exists.", "email-taken");

    public async Task<TokenResponse> LoginAsync(LoginRequest request, string? clientAddress, CancellationToken cancellationToken)
    {
        var email = User.Normalize(request.Email);
        var attempt = PasswordAttempt.Login(email, clientAddress);
        await throttle.EnsureAllowedAsync(attempt, cancellationToken);

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == email, cancellationToken);
        // A deactivated account answers, and counts, exactly as a wrong password: anything else would confirm the password.
        if (!hasher.Verify(request.Password, user?.PasswordHash) || user is not { IsActive: true })
        {
            await throttle.RecordFailureAsync(attempt, cancellationToken);
            throw new UnauthorizedException(InvalidCredentials);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        return await IssueAsync(user, familyId: Guid.CreateVersion7(), expiresAt: now.AddDays(jwt.Value.RefreshTokenDays), cancellationToken);
    }

    /// <summary>
    /// Rotates a refresh token. The old token is spent by one conditional UPDATE, so of two
    /// concurrent refreshes exactly one wins. Presenting a token that was already rotated means it
    /// was stolen or replayed: the whole session family is revoked.
    /// </summary>
    public async Task<TokenResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        var hash = TokenService.HashRefreshToken(request.RefreshToken);
        var now = clock.GetUtcNow().UtcDateTime;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var spent = await db.RefreshTokens
            .Where(t => t.TokenHash == hash && t.RevokedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.RevokedReason, RevocationReasons.Rotated), cancellationToken);

        var stored = await db.RefreshTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.UserId, t.FamilyId, t.ExpiresAt, t.RevokedReason })
            .SingleOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            throw new UnauthorizedException(InvalidRefreshToken);
        }

        if (spent == 0)
        {
            if (stored.RevokedReason == RevocationReasons.Rotated)
            {
                await RevokeAsync(db.RefreshTokens.Where(t => t.FamilyId == stored.FamilyId), RevocationReasons.Reuse, now, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                throw new UnauthorizedException("This refresh token was already used. The session has been revoked; log in again.");
            }

            throw new UnauthorizedException(InvalidRefreshToken);
        }

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == stored.UserId, cancellationToken);
        if (!user.IsActive)
        {
            throw new UnauthorizedException("This account has been deactivated.");
        }

        var response = await IssueAsync(user, stored.FamilyId, stored.ExpiresAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    public async Task LogoutAsync(Guid userId, RefreshRequest request, CancellationToken cancellationToken)
    {
        var hash = TokenService.HashRefreshToken(request.RefreshToken);
        await RevokeAsync(db.RefreshTokens.Where(t => t.TokenHash == hash && t.UserId == userId),
            RevocationReasons.Logout, clock.GetUtcNow().UtcDateTime, cancellationToken);
    }

    public async Task ChangePasswordAsync(Guid userId, string? clientAddress, ChangePasswordRequest request, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("User not found.");

        // A stolen access token must not become a way to guess the password without limit; counted
        // apart from logins, so that it cannot lock the owner's login either.
        var attempt = PasswordAttempt.PasswordChange(userId, clientAddress);
        await throttle.EnsureAllowedAsync(attempt, cancellationToken);
        if (!hasher.Verify(request.CurrentPassword, user.PasswordHash))
        {
            await throttle.RecordFailureAsync(attempt, cancellationToken);
            throw new RequestValidationException("currentPassword", "The current password is incorrect.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        user.PasswordHash = hasher.Hash(request.NewPassword);
        user.UpdatedAt = now;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await RevokeAllAsync(db, userId, RevocationReasons.PasswordChanged, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    internal static Task<int> RevokeAllAsync(ShopDbContext db, Guid userId, string reason, DateTime now, CancellationToken cancellationToken) =>
        RevokeAsync(db.RefreshTokens.Where(t => t.UserId == userId), reason, now, cancellationToken);

    private static Task<int> RevokeAsync(IQueryable<RefreshToken> tokens, string reason, DateTime now, CancellationToken cancellationToken) =>
        tokens.Where(t => t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.RevokedReason, reason), cancellationToken);

    private async Task<TokenResponse> IssueAsync(User user, Guid familyId, DateTime expiresAt, CancellationToken cancellationToken)
    {
        var (refreshToken, hash) = TokenService.NewRefreshToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            UserId = user.Id,
            FamilyId = familyId,
            TokenHash = hash,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            ExpiresAt = expiresAt,
        });
        await db.SaveChangesAsync(cancellationToken);

        var access = tokens.CreateAccessToken(user);
        return new TokenResponse(access.Token, refreshToken, "Bearer", access.ExpiresInSeconds);
    }
}
