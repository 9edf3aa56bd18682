using System.Net;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Common;
using Shop.Core.Jobs;
using Shop.Core.Payments;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>The recurring jobs' work, run on demand through Wolverine (their schedules fire every minute, the purge hourly).</summary>
public abstract class JobTests(ShopFactory shop)
{
    private async Task AgeAsync(Guid orderId, TimeSpan by)
    {
        await using var db = shop.OpenContext();
        var order = await db.Orders.SingleAsync(o => o.Id == orderId);
        await db.Orders.Where(o => o.Id == orderId).ExecuteUpdateAsync(s => s.SetProperty(o => o.CreatedAt, order.CreatedAt - by));
    }

    [Fact]
    public async Task Orders_unpaid_after_the_timeout_are_cancelled_and_their_stock_released()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 10);
        var stale = (await customer.PlaceOrderAsync((product, 3))).GetProperty("id").GetGuid();
        var fresh = (await customer.PlaceOrderAsync((product, 2))).GetProperty("id").GetGuid();
        await AgeAsync(stale, TimeSpan.FromMinutes(31));

        await shop.InvokeAsync(new CancelUnpaidOrders(DateTimeOffset.UtcNow));

        var cancelled = await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{stale}"));
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("system", cancelled.GetProperty("statusHistory").EnumerateArray().Last().GetProperty("actor").GetString());
        Assert.Equal("pending_payment", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{fresh}"))).GetProperty("status").GetString());
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());

        await shop.InvokeAsync(new CancelUnpaidOrders(DateTimeOffset.UtcNow)); // twice is the same as once
        Assert.Equal(2, (await admin.InventoryAsync(product)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task Payments_stuck_in_pending_are_driven_to_an_outcome()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        var orderId = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();
        // As if the process that accepted it died before its message was stored anywhere.
        var paymentId = await shop.InsertPendingPaymentAsync(orderId, customer.Id, SandboxProvider.Visa, DateTime.UtcNow.AddMinutes(-10));

        await shop.InvokeAsync(new RedriveStuckPayments(DateTimeOffset.UtcNow));

        Assert.Equal("succeeded", (await customer.SettledAsync(paymentId)).GetProperty("status").GetString());
        await customer.OrderWhenAsync(orderId, "paid");
    }

    [Fact]
    public async Task An_order_with_a_payment_in_flight_is_not_expired()
    {
        var admin = await shop.AdminAsync();
        var customer = await shop.NewUserAsync();
        var product = await admin.CreateProductAsync(onHand: 5);
        var orderId = (await customer.PlaceOrderAsync((product, 1))).GetProperty("id").GetGuid();
        await shop.InsertPendingPaymentAsync(orderId, customer.Id, "tok_pending_forever");

        await AgeAsync(orderId, TimeSpan.FromHours(2));
        await shop.InvokeAsync(new CancelUnpaidOrders(DateTimeOffset.UtcNow));
        Assert.Equal("pending_payment", (await Expect.Json(await customer.Client.GetAsync($"/api/v1/orders/{orderId}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_occurrence_delivered_more_than_once_runs_once()
    {
        // An instant of its own, far from the occurrences the real schedule produces while the test runs.
        var occurrence = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.Next(1, 10_000_000));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => shop.InvokeAsync(new PurgeExpiredRecords(occurrence))));
        await shop.InvokeAsync(new PurgeExpiredRecords(occurrence));
        await shop.InvokeAsync(new PurgeExpiredRecords(occurrence.AddMinutes(1)));

        await using var db = shop.OpenContext();
        var runs = await db.JobRuns.Where(r => r.Job == nameof(PurgeExpiredRecords) && r.Occurrence >= occurrence.UtcDateTime && r.Occurrence <= occurrence.UtcDateTime.AddMinutes(1))
            .OrderBy(r => r.Occurrence).ToListAsync();
        Assert.Equal([occurrence.UtcDateTime, occurrence.UtcDateTime.AddMinutes(1)], runs.Select(r => r.Occurrence));
        Assert.All(runs, r => Assert.NotNull(r.FinishedAt));
        Assert.All(runs, r => Assert.Equal(JobRun.ThisNode, r.Node));
    }

    [Fact]
    public async Task Expired_idempotency_records_and_refresh_tokens_are_purged()
    {
        var user = await shop.NewUserAsync();
        await using (var db = shop.OpenContext())
        {
            var old = DateTime.UtcNow.AddDays(-3);
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                UserId = user.Id, Operation = "POST /orders", Key = $"old-{Guid.NewGuid():N}", RequestHash = "x", LeaseUntil = old, CreatedAt = old, ExpiresAt = old.AddHours(24),
            });
            await db.SaveChangesAsync();
            await db.RefreshTokens.Where(t => t.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, old));
        }

        await shop.InvokeAsync(new PurgeExpiredRecords(DateTimeOffset.UtcNow));

        await using var check = shop.OpenContext();
        Assert.False(await check.IdempotencyRecords.AnyAsync(r => r.UserId == user.Id));
        Assert.False(await check.RefreshTokens.AnyAsync(t => t.UserId == user.Id));
        await Expect.Problem(await shop.Client().PostAsync("/api/v1/auth/refresh", System.Net.Http.Json.JsonContent.Create(new { refreshToken = user.RefreshToken })), HttpStatusCode.Unauthorized);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class JobTestsOnSqlite(SqliteShop shop) : JobTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class JobTestsOnPostgres(PostgresShop shop) : JobTests(shop);
