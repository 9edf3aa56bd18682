using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Shop.Core.Data;
using Shop.Core.Payments;

namespace Shop.IntegrationTests.Infrastructure;

public static class Database
{
    /// <summary>A DbContext on the host's database, for arranging states the API cannot produce on purpose (a crash mid-request).</summary>
    /// <param name="interceptors">EF Core interceptors, to stage a race at a precise point of a service's work.</param>
    public static ShopDbContext OpenContext(this ShopFactory shop, params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>();
        DatabaseSetup.Configure(options, Enum.Parse<DatabaseProvider>(shop.Provider), shop.ConnectionString);
        options.AddInterceptors(interceptors);
        return new ShopDbContext(options.Options);
    }

    /// <summary>Runs raw SQL on the host's database (states only a bug or an operator could create); returns the rows affected.</summary>
    public static async Task<int> ExecuteSqlAsync(this ShopFactory shop, string sql)
    {
        await using var db = shop.OpenContext();
        return await db.Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>A pending payment written straight to the database, as if its message had been lost or not yet handled.</summary>
    public static async Task<Guid> InsertPendingPaymentAsync(this ShopFactory shop, Guid orderId, Guid userId, string token, DateTime? at = null)
    {
        await using var db = shop.OpenContext();
        var order = await db.Orders.SingleAsync(o => o.Id == orderId);
        var when = at ?? DateTime.UtcNow;
        var payment = new Payment
        {
            OrderId = orderId, UserId = userId, AmountMinor = order.TotalMinor, Currency = order.Currency,
            Provider = SandboxProvider.ProviderName, PaymentToken = token, CreatedAt = when, UpdatedAt = when,
        };
        db.Payments.Add(payment);
        await db.SaveChangesAsync();
        return payment.Id;
    }
}
