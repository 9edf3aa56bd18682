using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.Core.Users;

/// <summary>Makes sure the account named by Admin:Email exists, is active and is an admin.</summary>
public sealed partial class AdminBootstrapper(ShopDbContext db, PasswordHasher hasher, IOptions<AdminOptions> options, TimeProvider clock, ILogger<AdminBootstrapper> logger)
{
    public async Task EnsureAdminAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        if (string.IsNullOrWhiteSpace(admin.Email) || string.IsNullOrEmpty(admin.Password))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var email = User.Normalize(admin.Email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == email, cancellationToken);
        if (user is null)
        {
            try
            {
                await AuthService.AddUserAsync(db, new User
                {
                    Email = admin.Email.Trim(),
                    NormalizedEmail = email,
                    PasswordHash = hasher.Hash(admin.Password),
                    FullName = "Administrator",
                    Role = Roles.Admin,
                    CreatedAt = now,
                    UpdatedAt = now,
                }, cancellationToken);
                LogCreated(logger, admin.Email);
            }
            catch (ConflictException)
            {
                // Another process started at the same moment and created it.
            }

            return;
        }

        if (user.Role != Roles.Admin || !user.IsActive)
        {
            // The password of an existing account is left alone: rotating it is a deliberate act.
            user.Role = Roles.Admin;
            user.IsActive = true;
            user.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            LogPromoted(logger, admin.Email);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created admin account {Email}")]
    private static partial void LogCreated(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Made existing account {Email} an active admin")]
    private static partial void LogPromoted(ILogger logger, string email);
}
