using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Orders;
using Shop.Core.Pricing;
using Shop.Core.Users;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>Checkout under contention: the last units, mixed line orders, retried requests.</summary>
public abstract class CheckoutConcurrencyTests(ShopFactory shop)
{
    [Fact]
    public async Task Sixty_buyers_for_ten_units_leave_exactly_ten_orders_every_time()
    {
        var admin = await shop.AdminAsync();
        var buyers = new List<TestUser>();
        for (var i = 0; i < 60; i++)
        {
            buyers.Add(await shop.NewUserAsync());
        }

        for (var round = 0; round < 3; round++)
        {
            var product = await admin.CreateProductAsync(onHand: 10);
            using var start = new SemaphoreSlim(0);
            var attempts = buyers.Select(async buyer =>
            {
                await start.WaitAsync();
                return await buyer.PlaceAsync(OrderApi.Body((product, 1)));
            }).ToList();
            start.Release(buyers.Count);
            var responses = await Task.WhenAll(attempts);

            Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
            Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
            foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).Take(3))
            {
                Assert.EndsWith("insufficient-stock", (await Expect.Problem(refused, HttpStatusCode.Conflict)).GetProperty("type").GetString(), StringComparison.Ordinal);
            }

            var stock = await admin.InventoryAsync(product);
            Assert.Equal(0, stock.GetProperty("available").GetInt32());
            Assert.Equal(10, stock.GetProperty("reserved").GetInt32());
            Assert.Equal(10, stock.GetProperty("onHand").GetInt32());
        }
    }

    [Fact]
    public async Task Orders_naming_the_same_products_in_opposite_orders_never_fail_with_a_5xx()
    {
        var admin = await shop.AdminAsync();
        var products = new[] { await admin.CreateProductAsync(onHand: 40), await admin.CreateProductAsync(onHand: 40), await admin.CreateProductAsync(onHand: 40) };
        var buyers = new List<TestUser>();
        for (var i = 0; i < 12; i++)
        {
            buyers.Add(await shop.NewUserAsync());
        }

        var random = new Random(7);
        var plans = buyers.SelectMany(b => Enumerable.Range(0, 3).Select(_ => (Buyer: b, Lines: products.OrderBy(_ => random.Next()).Select(p => (p, random.Next(1, 4))).ToArray()))).ToList();
        var responses = await Task.WhenAll(plans.Select(plan => plan.Buyer.PlaceAsync(OrderApi.Body(plan.Lines))));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var placed = plans.Zip(responses).Where(x => x.Second.StatusCode == HttpStatusCode.Created).Select(x => x.First.Lines).ToList();
        Assert.NotEmpty(placed);
        foreach (var product in products)
        {
            var expected = placed.Sum(lines => lines.Where(l => l.p == product).Sum(l => l.Item2));
            var stock = await admin.InventoryAsync(product);
            Assert.Equal(expected, stock.GetProperty("reserved").GetInt32());
            Assert.True(stock.GetProperty("available").GetInt32() >= 0);
        }
    }

    [Fact]
    public async Task Concurrent_retries_of_one_idempotency_key_create_one_order()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 100);
        var key = $"checkout-{Guid.NewGuid():N}";
        var body = OrderApi.Body((product, 2));

        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => customer.PlaceAsync(body, key)));

        Assert.All(burst, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var created = burst.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        var ids = new HashSet<Guid>();
        foreach (var response in created)
        {
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        Assert.Single(ids);
        foreach (var busy in burst.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.EndsWith("idempotency-in-progress", (await Expect.Problem(busy, HttpStatusCode.Conflict)).GetProperty("type").GetString(), StringComparison.Ordinal);
        }

        // After the burst, a retry is answered from the stored first response.
        var replay = await customer.PlaceAsync(body, key);
        var replayed = await Expect.Json(replay, HttpStatusCode.Created);
        Assert.Equal(ids.Single(), replayed.GetProperty("id").GetGuid());
        Assert.Equal($"/api/v1/orders/{ids.Single()}", replay.Headers.Location?.ToString());
        Assert.Equal(1, (await Expect.Json(await customer.Client.GetAsync("/api/v1/orders"))).GetProperty("totalCount").GetInt32());
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Replaying_an_idempotency_key_writes_no_error_to_the_logs()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 100);
        var key = $"replay-{Guid.NewGuid():N}";
        var body = OrderApi.Body((product, 1));
        var before = shop.Logs.Entries.Count;

        var first = await Expect.Json(await customer.PlaceAsync(body, key), HttpStatusCode.Created);
        for (var i = 0; i < 3; i++)
        {
            var replay = await customer.PlaceAsync(body, key);
            Assert.Equal(first.GetProperty("id").GetGuid(), (await Expect.Json(replay, HttpStatusCode.Created)).GetProperty("id").GetGuid());
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        }

        await Expect.Problem(await customer.PlaceAsync(OrderApi.Body((product, 2)), key), HttpStatusCode.UnprocessableEntity);
        var payment = await customer.PayAsync(first.GetProperty("id").GetGuid(), "tok_visa", key);
        await Expect.Status(payment, HttpStatusCode.Accepted);
        await Expect.Status(await customer.PayAsync(first.GetProperty("id").GetGuid(), "tok_visa", key), HttpStatusCode.Accepted);

        // A replay is the normal case of a retry, not a database error (it used to log two per replay).
        var errors = shop.Logs.Entries.Skip(before)
            .Where(e => e.Level >= LogLevel.Error && e.ToString().Contains("idempotency", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(1, (await Expect.Json(await customer.Client.GetAsync("/api/v1/orders"))).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422_and_keys_belong_to_one_user()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var other = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 100);
        var key = $"k-{Guid.NewGuid():N}";

        await Expect.Status(await customer.PlaceAsync(OrderApi.Body((product, 1)), key), HttpStatusCode.Created);
        await Expect.Problem(await customer.PlaceAsync(OrderApi.Body((product, 2)), key), HttpStatusCode.UnprocessableEntity);

        // Another user's identical key is theirs: it places their own order.
        var theirs = await Expect.Json(await other.PlaceAsync(OrderApi.Body((product, 1)), key), HttpStatusCode.Created);
        Assert.Equal(other.Id, theirs.GetProperty("userId").GetGuid());
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());

        await Expect.ValidationError(await customer.PlaceAsync(OrderApi.Body((product, 1)), new string('k', 256)), "Idempotency-Key");
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_refused_order_does_not_use_up_its_idempotency_key()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 1);
        var key = $"k-{Guid.NewGuid():N}";

        await Expect.Problem(await customer.PlaceAsync(OrderApi.Body((product, 3)), key), HttpStatusCode.Conflict);
        await admin.SetStockAsync(product, 5);
        await Expect.Status(await customer.PlaceAsync(OrderApi.Body((product, 3)), key), HttpStatusCode.Created);
        await Expect.Status(await customer.PlaceAsync(OrderApi.Body((product, 3)), key), HttpStatusCode.Created);
        Assert.Equal(3, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_key_held_by_a_request_that_died_is_taken_over_once_its_lease_ends(bool leaseExpired)
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var key = $"k-{Guid.NewGuid():N}";
        var request = new PlaceOrderRequest(
            [new OrderItemRequest(product, 2)], new AddressRequest("Ada Lovelace", "12 St James's Square", null, "London", null, "SW1Y 4JH", "GB"), null);

        // The state a crash leaves behind: the key claimed, no order, no response.
        await using (var db = shop.OpenContext())
        {
            var now = DateTime.UtcNow;
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                UserId = customer.Id, Operation = OrderService.PlaceOperation, Key = key, RequestHash = IdempotencyService.Fingerprint(request),
                LeaseUntil = leaseExpired ? now.AddSeconds(-1) : now.AddMinutes(1), CreatedAt = now.AddMinutes(-2), ExpiresAt = now.AddHours(23),
            });
            await db.SaveChangesAsync();
        }

        var response = await customer.PlaceAsync(request, key);
        if (!leaseExpired)
        {
            await Expect.Problem(response, HttpStatusCode.Conflict);
            Assert.Equal(0, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
            return;
        }

        var order = await Expect.Json(response, HttpStatusCode.Created);
        var replay = await Expect.Json(await customer.PlaceAsync(request, key), HttpStatusCode.Created);
        Assert.Equal(order.GetProperty("id").GetGuid(), replay.GetProperty("id").GetGuid());
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_key_past_its_retention_is_forgotten_and_serves_a_new_request()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var key = $"k-{Guid.NewGuid():N}";
        // The answer to another request made with this key a day ago, expired but not yet purged.
        await using (var db = shop.OpenContext())
        {
            var dayAgo = DateTime.UtcNow.AddHours(-25);
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                UserId = customer.Id, Operation = OrderService.PlaceOperation, Key = key, RequestHash = "another-request",
                LeaseUntil = dayAgo, CompletedAt = dayAgo, ResponseStatus = 201, ResponseBody = "{}", CreatedAt = dayAgo, ExpiresAt = DateTime.UtcNow.AddMinutes(-1),
            });
            await db.SaveChangesAsync();
        }

        var order = await Expect.Json(await customer.PlaceAsync(OrderApi.Body((product, 2)), key), HttpStatusCode.Created);
        var replay = await Expect.Json(await customer.PlaceAsync(OrderApi.Body((product, 2)), key), HttpStatusCode.Created);
        Assert.Equal(order.GetProperty("id").GetGuid(), replay.GetProperty("id").GetGuid());
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_claimed_key_is_held_for_its_lease_and_so_is_a_key_taken_over()
    {
        var customer = await shop.NewUserAsync();
        var key = $"k-{Guid.NewGuid():N}";
        await using var scope = shop.Services.CreateAsyncScope();
        var idempotency = scope.ServiceProvider.GetRequiredService<IdempotencyService>();
        Task<IdempotencyStart> BeginAsync() => idempotency.BeginAsync(customer.Id, OrderService.PlaceOperation, key, "request", CancellationToken.None);

        var claim = (await BeginAsync()).Ticket;
        Assert.NotNull(claim);
        Assert.Equal("idempotency-in-progress", (await Assert.ThrowsAsync<ConflictException>(BeginAsync)).ProblemType);

        // The claimant died: once its lease has run out, a retry takes the key over, for a lease of its own.
        await using (var db = shop.OpenContext())
        {
            await db.IdempotencyRecords.Where(r => r.Id == claim).ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseUntil, DateTime.UtcNow.AddSeconds(-1)));
        }

        Assert.Equal(claim, (await BeginAsync()).Ticket);
        Assert.Equal("idempotency-in-progress", (await Assert.ThrowsAsync<ConflictException>(BeginAsync)).ProblemType);
    }

    [Fact]
    public async Task A_key_expires_and_a_lease_ends_at_the_very_instant_they_name()
    {
        var customer = await shop.NewUserAsync();
        var now = new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        var (expired, leased, otherExpired, otherLeased) = ($"k-{Guid.NewGuid():N}", $"k-{Guid.NewGuid():N}", $"k-{Guid.NewGuid():N}", $"k-{Guid.NewGuid():N}");
        Guid leaseHolder;
        await using (var db = shop.OpenContext())
        {
            // The answer to another request, kept until exactly now; and a claim whose lease ends exactly now.
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                UserId = customer.Id, Operation = OrderService.PlaceOperation, Key = expired, RequestHash = "another-request",
                LeaseUntil = now.AddDays(-1), CompletedAt = now.AddDays(-1), ResponseStatus = 201, ResponseBody = "{}", CreatedAt = now.AddDays(-1), ExpiresAt = now,
            });
            var claim = new IdempotencyRecord
            {
                UserId = customer.Id, Operation = OrderService.PlaceOperation, Key = leased, RequestHash = "request",
                LeaseUntil = now, CreatedAt = now.AddMinutes(-1), ExpiresAt = now.AddHours(23),
            };
            db.IdempotencyRecords.Add(claim);
            // Two other keys, which the requests below must leave alone: one expired, one whose lease ends at the same instant.
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                UserId = customer.Id, Operation = OrderService.PlaceOperation, Key = otherExpired, RequestHash = "request",
                LeaseUntil = now.AddDays(-2), CompletedAt = now.AddDays(-2), ResponseStatus = 201, ResponseBody = "{}", CreatedAt = now.AddDays(-2), ExpiresAt = now.AddDays(-1),
            });
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                UserId = customer.Id, Operation = OrderService.PlaceOperation, Key = otherLeased, RequestHash = "request",
                LeaseUntil = now, CreatedAt = now.AddMinutes(-1), ExpiresAt = now.AddHours(23),
            });
            await db.SaveChangesAsync();
            leaseHolder = claim.Id;
        }

        await using var context = shop.OpenContext();
        Task<IdempotencyStart> BeginAsync(DateTime at, string key) =>
            new IdempotencyService(context, new FixedClock(at)).BeginAsync(customer.Id, OrderService.PlaceOperation, key, "request", CancellationToken.None);

        // A millisecond earlier, neither has run out: the old answer is another request's, the claim still held.
        var earlier = now.AddMilliseconds(-1);
        var reused = await Assert.ThrowsAsync<UnprocessableException>(() => BeginAsync(earlier, expired));
        Assert.Equal("idempotency-key-reused", reused.ProblemType);
        Assert.Contains("different request body", reused.Message, StringComparison.Ordinal);
        Assert.Equal("idempotency-in-progress", (await Assert.ThrowsAsync<ConflictException>(() => BeginAsync(earlier, leased))).ProblemType);

        // At the instant: the expired key is forgotten and claimed afresh, for a lease and the retention period from now;
        // the claim whose lease ended is taken over, for a lease from now.
        var fresh = (await BeginAsync(now, expired)).Ticket;
        Assert.NotNull(fresh);
        Assert.Equal((Guid?)leaseHolder, (await BeginAsync(now, leased)).Ticket);

        await using var db2 = shop.OpenContext();
        var records = await db2.IdempotencyRecords.AsNoTracking().Where(r => r.UserId == customer.Id).ToDictionaryAsync(r => r.Key);
        Assert.Equal(4, records.Count);
        Assert.Equal(fresh, records[expired].Id);
        Assert.Equal(now.AddDays(-1), records[otherExpired].ExpiresAt);
        Assert.Equal(now, records[otherLeased].LeaseUntil);
        Assert.Equal(("request", now, now + IdempotencyService.Lease, now + IdempotencyService.Retention, (DateTime?)null),
            (records[expired].RequestHash, records[expired].CreatedAt, records[expired].LeaseUntil, records[expired].ExpiresAt, records[expired].CompletedAt));
        Assert.Equal(now + IdempotencyService.Lease, records[leased].LeaseUntil);
        Assert.Equal("idempotency-in-progress", (await Assert.ThrowsAsync<ConflictException>(() => BeginAsync(now.AddSeconds(59), leased))).ProblemType);
    }

    [Fact]
    public async Task A_stored_response_is_replayed_and_abandoning_a_request_frees_only_its_own_key()
    {
        var customer = await shop.NewUserAsync();
        var (done, running, failed) = ($"k-{Guid.NewGuid():N}", $"k-{Guid.NewGuid():N}", $"k-{Guid.NewGuid():N}");
        var now = new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        await using var context = shop.OpenContext();
        var idempotency = new IdempotencyService(context, new FixedClock(now));
        Task<IdempotencyStart> BeginAsync(string key) => idempotency.BeginAsync(customer.Id, OrderService.PlaceOperation, key, "request", CancellationToken.None);

        var doneTicket = (await BeginAsync(done)).Ticket!.Value;
        var runningTicket = (await BeginAsync(running)).Ticket!.Value;
        var failedTicket = (await BeginAsync(failed)).Ticket!.Value;
        var resource = Guid.NewGuid();
        await idempotency.CompleteAsync(new IdempotencyTicket(doneTicket, id => $"/things/{id}"), 201, new { id = resource, name = "Thing" }, resource, CancellationToken.None);
        await idempotency.AbandonAsync(failedTicket);
        await idempotency.AbandonAsync(doneTicket); // completed: nothing to forget

        var replay = (await BeginAsync(done)).Replay;
        Assert.NotNull(replay);
        Assert.Equal((201, $"{{\"id\":\"{resource}\",\"name\":\"Thing\"}}", $"/things/{resource}", (DateTime?)now),
            (replay.ResponseStatus, replay.ResponseBody, replay.ResponseLocation, replay.CompletedAt));
        Assert.Equal("idempotency-in-progress", (await Assert.ThrowsAsync<ConflictException>(() => BeginAsync(running))).ProblemType);
        var again = (await BeginAsync(failed)).Ticket;
        Assert.NotNull(again);
        Assert.NotEqual(failedTicket, again);
    }

    [Fact]
    public async Task A_first_attempt_that_loses_the_race_for_its_key_answers_as_the_winner_holds_it()
    {
        var customer = await shop.NewUserAsync();
        var key = $"k-{Guid.NewGuid():N}";
        // Another request claims the key between this one's read (nothing there) and its insert.
        var competitor = new CompetingClaim(shop, customer.Id, key, withdraws: false);
        await using var context = shop.OpenContext(competitor);
        var idempotency = new IdempotencyService(context, TimeProvider.System);

        var busy = await Assert.ThrowsAsync<ConflictException>(() => idempotency.BeginAsync(customer.Id, OrderService.PlaceOperation, key, "request", CancellationToken.None));

        Assert.Equal("idempotency-in-progress", busy.ProblemType);
        Assert.Equal(1, competitor.Claims);
        // The lost claim is not left in the context, where the caller's own SaveChanges would insert it again.
        Assert.Equal(0, await context.SaveChangesAsync());
    }

    [Fact]
    public async Task A_key_that_others_keep_claiming_and_dropping_is_tried_three_times_then_409()
    {
        var customer = await shop.NewUserAsync();
        var key = $"k-{Guid.NewGuid():N}";
        var competitor = new CompetingClaim(shop, customer.Id, key, withdraws: true);
        await using var context = shop.OpenContext(competitor);
        var idempotency = new IdempotencyService(context, TimeProvider.System);

        var busy = await Assert.ThrowsAsync<ConflictException>(() => idempotency.BeginAsync(customer.Id, OrderService.PlaceOperation, key, "request", CancellationToken.None));

        Assert.Equal("idempotency-in-progress", busy.ProblemType);
        Assert.Equal(3, competitor.Claims);
    }

    [Fact]
    public async Task Concurrent_identical_moves_of_one_order_apply_exactly_once()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var paid = (await customer.PlaceOrderAsync((product, 4))).GetProperty("id").GetGuid();
        var cancelled = (await customer.PlaceOrderAsync((product, 3))).GetProperty("id").GetGuid();

        // Five payments and five cancellations racing: each order moves once, and stock moves once.
        var pays = Enumerable.Range(0, 5).Select(_ => admin.Client.PatchAsJsonAsync($"/api/v1/orders/{paid}/status", new { status = "paid" }));
        var cancels = Enumerable.Range(0, 5).Select(_ => customer.Client.PostAsync($"/api/v1/orders/{cancelled}/cancel", null));
        var results = await Task.WhenAll(pays.Concat(cancels));

        Assert.Equal(1, results.Take(5).Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(1, results.Skip(5).Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var stock = await admin.InventoryAsync(product);
        Assert.Equal(6, stock.GetProperty("onHand").GetInt32());
        Assert.Equal(0, stock.GetProperty("reserved").GetInt32());
        Assert.Equal(2, (await Expect.Json(await admin.Client.GetAsync($"/api/v1/orders/{paid}"))).GetProperty("statusHistory").GetArrayLength());
        Assert.Equal(2, (await Expect.Json(await admin.Client.GetAsync($"/api/v1/orders/{cancelled}"))).GetProperty("statusHistory").GetArrayLength());
    }

    [Fact]
    public async Task An_order_number_that_is_taken_is_drawn_again_and_the_order_placed_once()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        var taken = (await customer.PlaceOrderAsync((product, 1))).GetProperty("number").GetString()!;

        // The next order draws that number on its first try (40 random bits do collide, one day).
        var clash = new TakenNumber(taken);
        await using var context = shop.OpenContext(clash);
        var outbox = new Wolverine.EntityFrameworkCore.DbContextOutbox<ShopDbContext>(shop.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>(), context, []);
        var orders = new OrderService(context, outbox, new IdempotencyService(context, TimeProvider.System), shop.Services.GetRequiredService<IServiceScopeFactory>().CreateScope().ServiceProvider.GetRequiredService<PriceQuoter>(), TimeProvider.System);
        var address = new AddressRequest("Ada Lovelace", "1 Main St", null, "London", null, "N1 9GU", "GB");
        var placed = await orders.PlaceAsync(customer.Id, customer.Email, new PlaceOrderRequest([new OrderItemRequest(product, 2)], address, null), null, CancellationToken.None);

        Assert.Equal(1, clash.Clashes);
        Assert.NotEqual(taken, placed.Number);
        var stock = await admin.InventoryAsync(product);
        Assert.Equal(3, stock.GetProperty("reserved").GetInt32()); // 1 + 2: the failed try reserved nothing
        var mine = await Expect.Json(await customer.Client.GetAsync("/api/v1/orders"));
        Assert.Equal(2, mine.GetProperty("totalCount").GetInt32());
    }

    /// <summary>Gives the first order saved in the intercepted context a number another order already has.</summary>
    private sealed class TakenNumber(string number) : SaveChangesInterceptor
    {
        public int Clashes { get; private set; }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Clashes == 0 && eventData.Context!.ChangeTracker.Entries<Order>().SingleOrDefault(e => e.State == EntityState.Added) is { } order)
            {
                Clashes++;
                order.Entity.Number = number;
            }

            return ValueTask.FromResult(result);
        }
    }

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now);
    }

    /// <summary>
    /// Another request's claim of the same key, committed just before each insert of a claim in the
    /// intercepted context; when it <paramref name="withdraws"/>, it is deleted again once that insert has failed.
    /// </summary>
    private sealed class CompetingClaim(ShopFactory shop, Guid userId, string key, bool withdraws) : SaveChangesInterceptor
    {
        public int Claims { get; private set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context!.ChangeTracker.Entries<IdempotencyRecord>().Any(e => e.State == EntityState.Added))
            {
                Claims++;
                var now = DateTime.UtcNow;
                await using var db = shop.OpenContext();
                db.IdempotencyRecords.Add(new IdempotencyRecord
                {
                    UserId = userId, Operation = OrderService.PlaceOperation, Key = key, RequestHash = "request",
                    LeaseUntil = now + IdempotencyService.Lease, CreatedAt = now, ExpiresAt = now + IdempotencyService.Retention,
                });
                await db.SaveChangesAsync(cancellationToken);
            }

            return result;
        }

        public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            if (withdraws)
            {
                await using var db = shop.OpenContext();
                await db.IdempotencyRecords.Where(r => r.UserId == userId && r.Key == key).ExecuteDeleteAsync(cancellationToken);
            }
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CheckoutConcurrencyTestsOnSqlite(SqliteShop shop) : CheckoutConcurrencyTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class CheckoutConcurrencyTestsOnPostgres(PostgresShop shop) : CheckoutConcurrencyTests(shop);
