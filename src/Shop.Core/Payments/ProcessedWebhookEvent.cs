namespace Shop.Core.Payments;

/// <summary>A provider webhook event already applied: its id is unique, so a replay is recognised and ignored.</summary>
public sealed class ProcessedWebhookEvent
{
    public required string Provider { get; init; }
    public required string EventId { get; init; }
    public required string Type { get; init; }
    public DateTime ReceivedAt { get; init; }
}
