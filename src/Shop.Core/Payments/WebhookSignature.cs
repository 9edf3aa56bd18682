using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shop.Core.Payments;

/// <summary>
/// <c>Shop-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;.&lt;raw body&gt;"&gt;</c>,
/// valid for five minutes either side of now.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Shop-Signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={timestamp},v1={Compute(secret, timestamp, body)}";
    }

    /// <summary>Null when valid, else why not.</summary>
    public static string? Verify(string? header, string secret, DateTimeOffset now, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(header))
        {
            return $"The {Header} header is missing.";
        }

        string? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var (name, value) = part.Split('=', 2) is [var n, var v] ? (n.Trim(), v.Trim()) : ("", "");
            if (name == "t")
            {
                timestamp = value;
            }
            else if (name == "v1")
            {
                signatures.Add(value);
            }
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || signatures.Count == 0)
        {
            return $"The {Header} header must be 't=<unix seconds>,v1=<hex signature>'.";
        }

        // Compared in seconds: a timestamp beyond the year 9999 cannot even become a DateTimeOffset.
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)Tolerance.TotalSeconds)
        {
            return "The signature timestamp is more than five minutes away from now.";
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp!, body));
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s.ToLowerInvariant()), expected))
            ? null
            : "The signature does not match the body.";
    }

    private static string Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var signed = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[timestamp.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(timestamp.Length + 1));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
