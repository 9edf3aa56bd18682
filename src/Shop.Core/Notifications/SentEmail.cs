namespace Shop.Core.Notifications;

/// <summary>An email already sent, by a key naming what it was for ("order-confirmation:{orderId}"): a redelivered event does not send it again.</summary>
public sealed class SentEmail
{
    public required string Key { get; init; }
    public required string Recipient { get; init; }
    public DateTime SentAt { get; init; }
}
