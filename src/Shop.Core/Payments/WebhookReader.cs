using System.Text.Json;
using FluentValidation;
using Microsoft.Extensions.Options;
using Shop.Core.Common;

namespace Shop.Core.Payments;

/// <summary>
/// Turns a webhook request into a provider event only when it is for the configured provider, its
/// signature verifies against <c>Payments:WebhookSecret</c> and its body is a valid event; otherwise
/// the reason, as the 404 or 400 the caller answers. Nothing is applied here.
/// </summary>
public sealed class WebhookReader(IOptions<PaymentOptions> options, IValidator<WebhookEvent> validator, TimeProvider clock)
{
    /// <summary>The configured provider's name as configured: events are recorded under it, whatever the case of the URL.</summary>
    public string Provider => options.Value.Provider;

    public async Task<WebhookEvent> ReadAsync(string provider, string? signature, Stream body, CancellationToken cancellationToken)
    {
        if (!string.Equals(provider, options.Value.Provider, StringComparison.OrdinalIgnoreCase))
        {
            throw new NotFoundException($"No payment provider '{provider}' is configured.");
        }

        var secret = options.Value.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            // Nothing can carry a valid signature until a secret is set: every request is a bad signature.
            throw new RequestValidationException(WebhookSignature.Header, "The signature cannot be verified: Payments:WebhookSecret is not set on this server.");
        }

        var bytes = await ReadBodyAsync(body, cancellationToken);
        if (WebhookSignature.Verify(signature, secret, clock.GetUtcNow(), bytes) is { } invalid)
        {
            throw new RequestValidationException(WebhookSignature.Header, invalid);
        }

        var webhook = Parse(bytes) ?? throw new RequestValidationException("body", "The webhook body is not a valid event.");
        var errors = (await validator.ValidateAsync(webhook, cancellationToken)).ToDictionary();
        EventText(webhook, "", errors);
        return errors.Count == 0 ? webhook : throw new RequestValidationException(errors, "The webhook body is not a valid event.");
    }

    // The body is read by hand (the signature covers its raw bytes), so the request filter's text rule is applied here.
    private static readonly TextInput.Inspector EventText = TextInput.For(typeof(WebhookEvent))!;

    private static async Task<byte[]> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static WebhookEvent? Parse(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<WebhookEvent>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
