using System.Reflection;
using JasperFx.CodeGeneration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Data;
using Shop.Core.Jobs;
using Shop.Core.Payments;
using Wolverine;
using Wolverine.EntityFrameworkCore;
using Wolverine.ErrorHandling;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;
using Wolverine.Sqlite;

namespace Shop.Core.Messaging;

/// <summary>
/// Wolverine for events and background work, configured the same way in the API and the worker:
/// messages persisted in the shop's database (SQLite in Solo mode, or PostgreSQL schema
/// "wolverine"), published through the EF Core outbox, carried by durable local queues or by
/// RabbitMQ when ConnectionStrings:RabbitMq is set.
/// </summary>
public static class ShopMessaging
{
    /// <summary>The topic exchange every event is published to, as "{RabbitMq:Prefix}-shop.events" when a prefix is set.</summary>
    public const string EventsExchange = "shop.events";

    /// <summary>
    /// The messages the shop handles itself go to named queues that publishers declare too, so a
    /// message published before any worker ever started waits in its queue instead of reaching an
    /// exchange with nothing bound to it.
    /// </summary>
    private static readonly Dictionary<Type, string> NamedQueues = new()
    {
        [typeof(ProcessPayment)] = "shop.payments.process",
        [typeof(ProcessRefund)] = "shop.payments.refund",
        [typeof(Events.OrderPaid)] = "shop.orders.paid",
        [typeof(Events.OrderShipped)] = "shop.orders.shipped",
        [typeof(Events.OrderCancelled)] = "shop.orders.cancelled",
        [typeof(Events.OrderRefunded)] = "shop.orders.refunded",
        [typeof(Events.InventoryLowStock)] = "shop.inventory.low-stock",
    };

    private static readonly bool IsReleaseBuild =
        typeof(ShopMessaging).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration == "Release";

    public static void Configure(WolverineOptions opts, IConfiguration configuration)
    {
        var provider = configuration.GetSection(DatabaseOptions.Section).GetValue(nameof(DatabaseOptions.Provider), DatabaseProvider.Sqlite);
        var database = configuration.GetConnectionString("Database") ?? DatabaseOptions.DefaultConnectionString;
        var rabbitMq = configuration.GetConnectionString("RabbitMq");
        var workers = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        opts.Services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section))
            .Validate(o => o.Enabled || !string.IsNullOrWhiteSpace(rabbitMq),
                "Workers:Enabled=false needs ConnectionStrings:RabbitMq: without a broker, nothing else would ever process this process's messages.")
            .ValidateOnStart();

        opts.ServiceName = "shop";
        opts.ApplicationAssembly = typeof(ShopMessaging).Assembly;
        if (provider == DatabaseProvider.Postgres)
        {
            opts.PersistMessagesWithPostgresql(database, "wolverine");
            // A crashed node's messages are taken over after it misses health checks; the
            // defaults add up to about 80 s, these to about 15 s.
            opts.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(2);
            opts.Durability.FirstHealthCheckExecution = TimeSpan.FromSeconds(1);
            opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(8);
            opts.Durability.NodeReassignmentPollingTime = TimeSpan.FromSeconds(2);
            opts.Durability.ScheduledJobPollingTime = TimeSpan.FromSeconds(1);
        }
        else
        {
            opts.PersistMessagesWithSqlite(database);
            // One process owns the SQLite file: Solo recovers its own in-flight messages at start-up.
            opts.Durability.Mode = DurabilityMode.Solo;
            opts.Durability.ScheduledJobPollingTime = TimeSpan.FromSeconds(1);
        }

        opts.UseEntityFrameworkCoreTransactions();
        opts.Policies.UseDurableLocalQueues();

        if (!string.IsNullOrWhiteSpace(rabbitMq))
        {
            // Message types without a named queue below (the recurring jobs) get conventional routing:
            // an exchange and a queue named after the type. RabbitMq:Prefix lets several shops share a broker.
            var rabbit = opts.UseRabbitMq(factory =>
                {
                    factory.Uri = new Uri(rabbitMq);
                    // After a broker outage, reconnect within 2 s of its return rather than 5.
                    factory.NetworkRecoveryInterval = TimeSpan.FromSeconds(2);
                }).AutoProvision()
                .UseConventionalRouting(convention => convention.ExcludeTypes(NamedQueues.ContainsKey));
            var prefix = configuration["RabbitMq:Prefix"];
            if (!string.IsNullOrEmpty(prefix))
            {
                rabbit.PrefixIdentifiers(prefix);
            }

            // Dead letters land in the database on both transports (wolverine_dead_letters), where
            // they can be queried and replayed, rather than in a broker queue only the broker shows.
            rabbit.CustomizeDeadLetterQueueing(new DeadLetterQueue("shop.dead-letters", DeadLetterQueueMode.WolverineStorage));

            // Through the broker even when this process could handle a message itself: any worker may take it.
            opts.Policies.DisableConventionalLocalRouting();
            foreach (var (message, queue) in NamedQueues)
            {
                opts.Publish(route => route.Message(message).ToRabbitQueue(queue));
                if (workers.Enabled)
                {
                    opts.ListenToRabbitQueue(queue);
                }
            }

            // Every event also goes to one topic exchange with its type ("order.paid") as routing
            // key, for subscribers outside the shop: bind a queue with "order.*", "#" or any pattern.
            // (Wolverine prefixes queues but not this exchange, hence the name built here.)
            opts.Publish(events =>
            {
                events.MessagesImplementing<Events.IShopEvent>();
                events.ToRabbitTopics(string.IsNullOrEmpty(prefix) ? EventsExchange : $"{prefix}-{EventsExchange}");
            });
            opts.Policies.UseDurableInboxOnAllListeners();
            opts.Policies.UseDurableOutboxOnAllSendingEndpoints();
        }

        if (!workers.Enabled)
        {
            // Publish only: handlers (and so listeners and schedules) belong to the worker processes.
            opts.Discovery.DisableConventionalDiscovery();
            // Keep the transactional outbox but take no part in the cluster's agents: a node without
            // listeners that was handed the recovery of a dead worker's inbox could never deliver it.
            opts.Durability.Mode = DurabilityMode.ServerlessWithOutbox;
        }
        else
        {
            opts.Discovery.IncludeAssembly(typeof(ShopMessaging).Assembly);
            ShopSchedules.Register(opts, configuration);
        }

        // A card network that is briefly unavailable: retry soon, then later, then give up to the
        // dead letters (the payment stays pending and the re-drive job tries again).
        opts.OnException<PaymentProviderUnavailableException>()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))
            .Then.ScheduleRetry(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15))
            .Then.MoveToErrorQueue();
        // Two changes to one order at the same moment (its optimistic version): the retry reads
        // the order again and decides with what the other change committed.
        opts.OnException<Common.ConflictException>(e => e.ProblemType == "concurrent-change")
            .RetryWithCooldown(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1))
            .Then.MoveToErrorQueue();
        opts.OnException<DbUpdateException>()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2))
            .Then.MoveToErrorQueue();

        // Release builds load the handler code generated ahead of time (scripts/codegen.sh writes it
        // into Shop.Core/Internal/Generated): no Roslyn compilation at start-up. Debug builds
        // generate it on first use, so changing a handler needs no extra step while developing.
        // Wolverine:TypeLoadMode overrides it (Auto: pre-generated code when it matches, else compile).
        opts.CodeGeneration.TypeLoadMode = configuration.GetValue<TypeLoadMode?>("Wolverine:TypeLoadMode")
            ?? (IsReleaseBuild ? TypeLoadMode.Static : TypeLoadMode.Dynamic);
    }
}
