using Microsoft.Extensions.Options;

namespace Shop.Core.Users;

/// <summary>
/// bcrypt reads only the first 72 bytes of its input, and a 128-character password can be up to
/// 512 bytes of UTF-8. BCrypt.Net's "enhanced" mode pre-hashes the password with SHA-384 (the
/// library's documented answer to that limit), so every byte of the password counts.
/// </summary>
public sealed class PasswordHasher(IOptions<PasswordOptions> options)
{
    private const BCrypt.Net.HashType PreHash = BCrypt.Net.HashType.SHA384;

    // Verified against when the account does not exist, so that a wrong email costs as long as a wrong password.
    private readonly Lazy<string> _decoy = new(() => BCrypt.Net.BCrypt.EnhancedHashPassword(Guid.NewGuid().ToString(), PreHash, options.Value.BcryptWorkFactor));

    public string Hash(string password) =>
        BCrypt.Net.BCrypt.EnhancedHashPassword(password, PreHash, options.Value.BcryptWorkFactor);

    public bool Verify(string password, string? hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.EnhancedVerify(password, hash ?? _decoy.Value, PreHash) && hash is not null;
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
