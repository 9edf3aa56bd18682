using System.Security.Cryptography;

namespace Shop.Core.Orders;

public static class OrderNumbers
{
    // Crockford's base32: no I, L, O or U, so a number read over the phone is not misheard.
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>"SH-" and 8 random characters: 40 bits, so knowing one number says nothing about another.</summary>
    public static string New() => "SH-" + RandomNumberGenerator.GetString(Alphabet, 8);
}
