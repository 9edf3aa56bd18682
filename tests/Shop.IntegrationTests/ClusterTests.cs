using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;
using Shop.Core.Jobs;
using Shop.Core.Messaging;
using Shop.Core.Payments;
using Shop.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Shop.IntegrationTests;

[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}

/// <summary>
/// An API process that only publishes (unless a test has it handle messages too), worker processes
/// that handle, one PostgreSQL and one RabbitMQ: messages are handled once, payments charged once,
/// and a process killed with SIGKILL loses nothing.
/// </summary>
[Collection(ClusterCollection.Name), Trait("Category", "Postgres")]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private sealed record Purchase(Guid OrderId, Guid PaymentId, int Quantity, string Token);

    [Fact]
    public async Task A_worker_reports_its_health_on_its_metrics_port_and_is_not_ready_while_its_database_refuses_it()
    {
        await using var cluster = await ShopCluster.StartAsync(workers: 1, environment: new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = PostgresShop.RedisConnectionString,
        });
        using var worker = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.WorkerMetricsPorts[0]}"), Timeout = TimeSpan.FromSeconds(30) };

        // Kestrel starts once the worker's hosted services have (Wolverine has joined the cluster just before).
        await Eventually.Until("the worker to answer on its metrics port", () => cluster.WorkerMetricsAsync(0), text => text is not null, TimeSpan.FromSeconds(30));
        await Expect.Status(await worker.GetAsync("/health/live"), HttpStatusCode.OK);
        var ready = await Expect.Json(await worker.GetAsync("/health/ready"));
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToHashSet();
        Assert.Equal(["database", "rabbitmq", "redis"], checks.Order());
        Assert.Contains("shop_dead_letters_total", await worker.GetStringAsync("/metrics"), StringComparison.Ordinal);
        await Expect.Status(await worker.PostAsync("/health/ready", null), HttpStatusCode.MethodNotAllowed);

        // The database refuses the worker's connections (as a stopped server would): not ready, still live.
        var database = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString).Database;
        await AdminSqlAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
        try
        {
            await Eventually.Until("the worker's /health/ready to answer 503", async () => (await worker.GetAsync("/health/ready")).StatusCode,
                status => status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
            await Expect.Status(await worker.GetAsync("/health/live"), HttpStatusCode.OK);
        }
        finally
        {
            await AdminSqlAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS true");
        }

        await Eventually.Until("the worker's /health/ready to answer 200 again", async () => (await worker.GetAsync("/health/ready")).StatusCode,
            status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
    }

    private static async Task AdminSqlAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(PostgresShop.ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Payments_accepted_by_a_publish_only_api_are_charged_once_by_two_workers()
    {
        await using var cluster = await ShopCluster.StartAsync(workers: 2);
        var (product, purchases) = await BuyAsync(cluster, [.. Enumerable.Repeat(SandboxProvider.Visa, 10), .. Enumerable.Repeat(SandboxProvider.Declined, 4)]);

        await SettleAndVerifyAsync(cluster, product, purchases, TimeSpan.FromSeconds(90));

        // Each worker counts what it did on its own metrics port; together, each payment once
        // (a counter moves just after its transaction commits, hence the short wait).
        var counted = await Eventually.Until("the workers' payment counters to add up to (succeeded 10, failed 4)", async () =>
        {
            var metrics = await Task.WhenAll(Enumerable.Range(0, cluster.Workers.Count).Select(cluster.WorkerMetricsAsync));
            Assert.All(metrics, Assert.NotNull);
            return (Succeeded: metrics.Sum(m => Loopback.MetricValue(m!, "shop_payments_total{outcome=\"succeeded\"}")),
                Failed: metrics.Sum(m => Loopback.MetricValue(m!, "shop_payments_total{outcome=\"failed\"}")));
        }, c => c == (10, 4), TimeSpan.FromSeconds(10));

        Assert.Equal((10.0, 4.0), counted);
    }

    [Fact]
    public async Task A_worker_killed_while_payments_are_in_flight_loses_nothing_and_charges_nothing_twice()
    {
        await using var cluster = await ShopCluster.StartAsync(workers: 1);
        var (product, purchases) = await BuyAsync(cluster,
            [.. Enumerable.Repeat(SandboxProvider.ProcessingError, 12), .. Enumerable.Repeat(SandboxProvider.Visa, 6)]);

        await Task.Delay(300); // processing-error charges are now between their retries
        ShopCluster.Kill(cluster.Workers[0]);
        Assert.True(await PendingAsync(cluster, purchases) > 0, "the worker was killed after every payment had settled: nothing was in flight");
        var killedAt = Stopwatch.StartNew();
        await cluster.StartWorkerAsync();

        // Usually settled within ~25 s (the dead node is ejected and its messages recovered); at worst
        // the re-drive job (every minute, for payments pending over a minute) finishes the work.
        await SettleAndVerifyAsync(cluster, product, purchases, TimeSpan.FromSeconds(200));
        output.WriteLine($"all payments settled {killedAt.Elapsed.TotalSeconds:F1} s after the worker was killed");
    }

    [Fact]
    public async Task Events_published_while_RabbitMQ_is_down_for_30_seconds_all_arrive_once_it_is_back()
    {
        await using var broker = await RabbitMqNode.StartAsync();
        await using var cluster = await ShopCluster.StartAsync(workers: 1, rabbitMq: broker.ConnectionString);
        var admin = await cluster.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 100, price: 10m);
        var subscriber = await EventSubscriber.BindAsync(broker.ConnectionString, $"{cluster.RabbitMqPrefix}-{ShopMessaging.EventsExchange}", TimeSpan.FromSeconds(30));

        // With the broker up, an order's event reaches the outside subscriber.
        var (_, before) = await PlaceOrderAsync(cluster, product);
        await subscriber.WaitForAsync([("order.placed", before)], TimeSpan.FromSeconds(30));

        await broker.StopAsync();
        var down = Stopwatch.StartNew();
        var expected = new List<(string Type, Guid Subject)>();
        var payments = new List<(Guid Order, Guid Payment)>();
        for (var i = 0; i < 8; i++)
        {
            // The API keeps answering: each change and its events commit to the database (the outbox).
            var (customer, order) = await PlaceOrderAsync(cluster, product);
            expected.Add(("order.placed", order));
            if (i % 2 == 0)
            {
                var payment = (await Expect.Json(await customer.PayAsync(order, SandboxProvider.Visa, key: $"pay-{order:N}"), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
                payments.Add((order, payment));
                expected.AddRange([("payment.succeeded", payment), ("order.paid", order)]);
            }
        }

        var requests = down.Elapsed;
        if (down.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromSeconds(30) - down.Elapsed);
        }

        await broker.StartAgainAsync();
        var back = Stopwatch.StartNew();
        output.WriteLine($"requests during the outage took {requests.TotalSeconds:F1} s; broker down {down.Elapsed.TotalSeconds:F1} s");

        await subscriber.WaitForAsync(expected, TimeSpan.FromSeconds(120),
            context: async () => $"{await broker.ControlAsync("list_queues", "name", "messages")}\n{cluster.Logs()}");
        output.WriteLine($"every event arrived {back.Elapsed.TotalSeconds:F1} s after the broker came back ({subscriber.Deliveries} deliveries of {subscriber.Events.Count} events)");

        // The work behind the events was done too: payments charged once, orders paid, confirmations sent.
        await using var db = Open(cluster);
        foreach (var (order, payment) in payments)
        {
            Assert.Equal(PaymentStatuses.Succeeded, (await db.Payments.SingleAsync(p => p.Id == payment)).Status);
            Assert.Single(await db.SandboxLedger.Where(e => e.IdempotencyKey == payment.ToString("N")).ToListAsync());
        }

        var confirmations = payments.Select(p => $"order-confirmation:{p.Order}").ToList();
        await Eventually.Until($"{payments.Count} order confirmations to be sent", () => db.SentEmails.CountAsync(e => confirmations.Any(c => e.Key.StartsWith(c))),
            sent => sent >= payments.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(payments.Count, await db.SentEmails.CountAsync(e => confirmations.Any(c => e.Key.StartsWith(c))));
    }

    private static async Task<(TestUser Customer, Guid Order)> PlaceOrderAsync(ShopCluster cluster, Guid product)
    {
        var customer = await cluster.NewUserAsync();
        return (customer, (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Recurring_jobs_keep_running_once_per_occurrence_when_the_nodes_running_them_die()
    {
        const string everyTwoSeconds = "*/2 * * * * *";
        string[] jobs = [nameof(CancelUnpaidOrders), nameof(RedriveStuckPayments), nameof(PurgeExpiredRecords)];
        await using var cluster = await ShopCluster.StartAsync(workers: 2, new Dictionary<string, string>
        {
            ["Jobs__CancelUnpaidOrders"] = everyTwoSeconds,
            ["Jobs__RedriveStuckPayments"] = everyTwoSeconds,
            ["Jobs__PurgeExpiredRecords"] = everyTwoSeconds,
        }, apiHandlesMessages: true);

        // Three processes share the schedules; then a worker dies, then the API (the first node up,
        // so the cluster's leader): whatever schedules they ran move to the one that is left.
        var before = await FinishedRunsAsync(cluster, jobs, since: DateTime.UtcNow, perJob: 3, TimeSpan.FromSeconds(60));
        var killed = new List<int> { cluster.Workers[0].Id };
        ShopCluster.Kill(cluster.Workers[0]);
        await FinishedRunsAsync(cluster, jobs, since: DateTime.UtcNow, perJob: 3, TimeSpan.FromSeconds(90));
        killed.Add(cluster.Api.Id);
        ShopCluster.Kill(cluster.Api);
        var leaderKilled = DateTime.UtcNow;
        var after = await FinishedRunsAsync(cluster, jobs, since: leaderKilled, perJob: 3, TimeSpan.FromSeconds(90));

        var survivor = $"/{cluster.Workers[1].Id}";
        Assert.All(after, r => Assert.EndsWith(survivor, r.Node, StringComparison.Ordinal));
        Assert.True(before.Select(r => r.Node).Distinct().Count() > 1, "one process ran every job before the kills: the cluster was not sharing the work");
        await using var db = Open(cluster);
        var runs = await db.JobRuns.ToListAsync();
        // Each occurrence has one claim (a unique key); the ones left unfinished were cut short by a kill:
        // only on a killed process, and at most one per job per kill (the three schedules fire in the
        // same second, so one kill can cut a run of each).
        var unfinished = runs.Where(r => r.FinishedAt is null).ToList();
        var shown = string.Join(", ", unfinished.Select(r => $"{r.Job} {r.Occurrence:O} on {r.Node}"));
        Assert.All(unfinished, r => Assert.Contains(killed, pid => r.Node.EndsWith($"/{pid}", StringComparison.Ordinal)));
        Assert.All(unfinished.GroupBy(r => r.Job), g => Assert.True(g.Count() <= killed.Count, $"runs left unfinished: {shown}"));
        foreach (var job in jobs)
        {
            var resumed = after.Where(r => r.Job == job).Min(r => r.StartedAt);
            output.WriteLine($"{job}: {runs.Count(r => r.Job == job)} occurrences run; first run after the leader was killed: {(resumed - leaderKilled).TotalSeconds:F1} s");
        }
    }

    /// <summary>Waits until every job has finished at least <paramref name="perJob"/> runs started since <paramref name="since"/>.</summary>
    private static Task<List<Core.Jobs.JobRun>> FinishedRunsAsync(ShopCluster cluster, string[] jobs, DateTime since, int perJob, TimeSpan timeout) =>
        Eventually.Until($"{perJob} finished runs of each job started since {since:O}", async () =>
        {
            await using var db = Open(cluster);
            return await db.JobRuns.Where(r => r.StartedAt >= since && r.FinishedAt != null).ToListAsync();
        }, runs => jobs.All(job => runs.Count(r => r.Job == job) >= perJob), timeout,
            runs => $"{string.Join(", ", jobs.Select(j => $"{j} ran {runs.Count(r => r.Job == j)} times"))}.\n{cluster.Logs()}");

    private static async Task<(Guid Product, List<Purchase> Purchases)> BuyAsync(ShopCluster cluster, string[] tokens)
    {
        var admin = await cluster.AdminAsync();
        var product = await admin.CreateProductAsync(onHand: 500, price: 10m);

        // Orders first, one customer each; then every payment at once, so that they are in flight together.
        var orders = new List<(TestUser Customer, Guid Order, int Quantity, string Token)>();
        for (var i = 0; i < tokens.Length; i++)
        {
            var customer = await cluster.NewUserAsync();
            var quantity = 1 + i % 3;
            var order = (await customer.PlaceOrderAsync((product, quantity))).GetProperty("id").GetGuid();
            orders.Add((customer, order, quantity, tokens[i]));
        }

        var purchases = await Task.WhenAll(orders.Select(async o =>
        {
            var payment = (await Expect.Json(await o.Customer.PayAsync(o.Order, o.Token, key: $"pay-{o.Order:N}"), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
            return new Purchase(o.Order, payment, o.Quantity, o.Token);
        }));
        return (product, purchases.ToList());
    }

    private static async Task<int> PendingAsync(ShopCluster cluster, List<Purchase> purchases)
    {
        await using var db = Open(cluster);
        var ids = purchases.Select(p => p.PaymentId).ToList();
        return await db.Payments.CountAsync(p => ids.Contains(p.Id) && p.Status == PaymentStatuses.Pending);
    }

    private static ShopDbContext Open(ShopCluster cluster)
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>();
        DatabaseSetup.Configure(options, DatabaseProvider.Postgres, cluster.ConnectionString);
        return new ShopDbContext(options.Options);
    }

    private static async Task SettleAndVerifyAsync(ShopCluster cluster, Guid product, List<Purchase> purchases, TimeSpan timeout)
    {
        var ids = purchases.Select(p => p.PaymentId).ToList();
        await Eventually.Until("every payment to settle", () => PendingAsync(cluster, purchases), pending => pending == 0, timeout,
            pending => $"{pending} payments still pending.\n{cluster.Logs()}");

        await using var check = Open(cluster);
        var payments = await check.Payments.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id);
        var ledger = await check.SandboxLedger.Where(e => e.Kind == "charge").ToListAsync();
        var paidQuantity = 0;
        foreach (var purchase in purchases)
        {
            var payment = payments[purchase.PaymentId];
            var expected = purchase.Token == SandboxProvider.Declined ? PaymentStatuses.Failed : PaymentStatuses.Succeeded;
            Assert.Equal(expected, payment.Status);
            // One ledger entry per payment: the card network saw each payment id, and charged it at most once.
            var entry = Assert.Single(ledger, e => e.IdempotencyKey == purchase.PaymentId.ToString("N"));
            Assert.Equal(expected == PaymentStatuses.Succeeded ? "succeeded" : "declined", entry.Status);
            var order = await check.Orders.SingleAsync(o => o.Id == purchase.OrderId);
            Assert.Equal(expected == PaymentStatuses.Succeeded ? Core.Orders.OrderStatus.Paid : Core.Orders.OrderStatus.PendingPayment, order.Status);
            paidQuantity += expected == PaymentStatuses.Succeeded ? purchase.Quantity : 0;
        }

        var stock = await check.Inventory.SingleAsync(i => i.ProductId == product);
        Assert.Equal(500 - paidQuantity, stock.OnHand);
        Assert.Equal(purchases.Where(p => p.Token == SandboxProvider.Declined).Sum(p => p.Quantity), stock.Reserved);
    }
}
