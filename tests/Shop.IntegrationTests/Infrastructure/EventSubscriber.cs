using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// A subscriber outside the shop, as a client would write one: its own durable queue bound to the
/// shop's events exchange with "#". Reads with basic.get on a fresh connection each time, so it
/// carries on across a broker restart.
/// </summary>
public sealed class EventSubscriber
{
    private readonly ConnectionFactory _factory;
    private readonly string _queue = $"test-subscriber-{Guid.NewGuid():N}";

    private EventSubscriber(string connectionString) => _factory = new ConnectionFactory { Uri = new Uri(connectionString) };

    /// <summary>Every event received, by event id; a redelivered event is counted in <see cref="Deliveries"/> only.</summary>
    public Dictionary<Guid, JsonElement> Events { get; } = [];

    public int Deliveries { get; private set; }

    /// <summary>Binds a queue to the exchange, waiting for the shop to have declared it.</summary>
    public static async Task<EventSubscriber> BindAsync(string connectionString, string exchange, TimeSpan timeout)
    {
        var subscriber = new EventSubscriber(connectionString);
        await Eventually.Until($"exchange {exchange} to be declared", async () =>
        {
            await using var connection = await subscriber._factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.ExchangeDeclarePassiveAsync(exchange);
                await channel.QueueDeclareAsync(subscriber._queue, durable: true, exclusive: false, autoDelete: false);
                await channel.QueueBindAsync(subscriber._queue, exchange, "#");
                return null;
            }
            catch (OperationInterruptedException e)
            {
                // Not declared yet (404 closes the channel): try again on a new one.
                return e.Message;
            }
        }, error => error is null, timeout);
        return subscriber;
    }

    /// <summary>Takes whatever is in the queue; nothing when the broker cannot be reached.</summary>
    public async Task DrainAsync()
    {
        try
        {
            await using var connection = await _factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            while (await channel.BasicGetAsync(_queue, autoAck: true) is { } message)
            {
                using var json = JsonDocument.Parse(Encoding.UTF8.GetString(message.Body.Span));
                var body = json.RootElement.Clone();
                Events[body.GetProperty("id").GetGuid()] = body;
                Deliveries++;
            }
        }
        catch (BrokerUnreachableException)
        {
        }
    }

    /// <summary>The subject of an event: the order, payment, user or product it is about.</summary>
    public static Guid Subject(JsonElement e)
    {
        var data = e.GetProperty("data");
        foreach (var name in new[] { "paymentId", "orderId", "userId", "productId" })
        {
            if (data.TryGetProperty(name, out var id))
            {
                return id.GetGuid();
            }
        }

        throw new InvalidOperationException($"No subject in {e}");
    }

    /// <summary>Waits until every (type, subject) pair has been received; fails naming the ones still missing, and <paramref name="context"/> if given.</summary>
    public Task WaitForAsync(IReadOnlyCollection<(string Type, Guid Subject)> expected, TimeSpan timeout, Func<Task<string>>? context = null) =>
        Eventually.Until("every expected event", async () =>
        {
            await DrainAsync();
            var received = Events.Values.Select(e => (e.GetProperty("type").GetString()!, Subject(e))).ToHashSet();
            return expected.Where(x => !received.Contains(x)).ToList();
        }, missing => missing.Count == 0, timeout,
            async missing => $"never arrived: {string.Join(", ", missing)}{(context is null ? "" : $"\n{await context()}")}");
}
