using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;
using Shop.Core.Events;
using Shop.Core.Users;

namespace Shop.Core.Notifications;

public static class OrderConfirmationEmailHandler
{
    public static async Task Handle(OrderPaid paid, ShopDbContext db, Mailer mailer, CancellationToken cancellationToken)
    {
        var order = paid.Data;
        var to = await db.Users.Where(u => u.Id == order.UserId).Select(u => new { u.Email, u.FullName }).SingleAsync(cancellationToken);
        var lines = order.Lines.Select(l => $"{l.Quantity} x {l.Name} ({l.Sku}) at {Amount(l.UnitPrice, order.Currency)}").ToList();
        var summary = Summary(order).ToList();
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Hello {to.FullName},")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Thank you: we have received your payment for order {order.Number}.")
            .AppendLine();
        foreach (var line in lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {line}");
        }

        text.AppendLine();
        foreach (var (label, amount) in summary)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{label}: {amount}");
        }

        var html = $"<p>Hello {Enc(to.FullName)},</p><p>Thank you: we have received your payment for order <strong>{Enc(order.Number)}</strong>.</p><ul>"
            + string.Concat(lines.Select(l => $"<li>{Enc(l)}</li>"))
            + "</ul><table>"
            + string.Concat(summary.Select(s => s.Label == "Total"
                ? $"<tr><th align=\"left\">{Enc(s.Label)}</th><td align=\"right\"><strong>{Enc(s.Amount)}</strong></td></tr>"
                : $"<tr><td>{Enc(s.Label)}</td><td align=\"right\">{Enc(s.Amount)}</td></tr>"))
            + "</table>";
        await mailer.SendOnceAsync($"order-confirmation:{order.OrderId}", "order_confirmation",
            new EmailMessage(order.Email ?? to.Email, $"Order {order.Number} confirmed: {Amount(order.Total, order.Currency)}", text.ToString(), html), cancellationToken);
    }

    /// <summary>Subtotal, then the discount, shipping and tax the order has, then the total. An event from before pricing carries only the total.</summary>
    private static IEnumerable<(string Label, string Amount)> Summary(OrderData order)
    {
        if (order.Subtotal > 0)
        {
            yield return ("Subtotal", Amount(order.Subtotal, order.Currency));
            if (order.DiscountCode is not null)
            {
                yield return ($"Discount ({order.DiscountCode})", "-" + Amount(order.DiscountTotal, order.Currency));
            }

            if (order.ShippingMethod is not null)
            {
                yield return ($"Shipping ({order.ShippingMethod})", Amount(order.ShippingTotal, order.Currency));
            }

            if (order.TaxTotal > 0)
            {
                yield return ("Tax", Amount(order.TaxTotal, order.Currency));
            }
        }

        yield return ("Total", Amount(order.Total, order.Currency));
    }

    internal static string Amount(decimal amount, string currency) => $"{amount.ToString("0.00", CultureInfo.InvariantCulture)} {currency}";

    internal static string Enc(string text) => WebUtility.HtmlEncode(text);
}

public static class ShippingNotificationEmailHandler
{
    public static async Task Handle(OrderShipped shipped, ShopDbContext db, Mailer mailer, CancellationToken cancellationToken)
    {
        var order = shipped.Data;
        var to = await db.Users.Where(u => u.Id == order.UserId).Select(u => new { u.Email, u.FullName }).SingleAsync(cancellationToken);
        var text = $"Hello {to.FullName},\n\nYour order {order.Number} is on its way with {shipped.Carrier}, tracking number {shipped.TrackingNumber}.\n";
        var html = $"<p>Hello {OrderConfirmationEmailHandler.Enc(to.FullName)},</p><p>Your order <strong>{OrderConfirmationEmailHandler.Enc(order.Number)}</strong> is on its way with "
            + $"{OrderConfirmationEmailHandler.Enc(shipped.Carrier)}, tracking number <strong>{OrderConfirmationEmailHandler.Enc(shipped.TrackingNumber)}</strong>.</p>";
        await mailer.SendOnceAsync($"order-shipped:{order.OrderId}", "shipping_notification",
            new EmailMessage(to.Email, $"Order {order.Number} has shipped", text, html), cancellationToken);
    }
}

public static class LowStockEmailHandler
{
    public static async Task Handle(InventoryLowStock low, ShopDbContext db, Mailer mailer, CancellationToken cancellationToken)
    {
        var admins = await db.Users.Where(u => u.Role == Roles.Admin && u.IsActive).Select(u => u.Email).ToListAsync(cancellationToken);
        var d = low.Data;
        // A variant is named with its option values: "T-shirt, Size M, Color Red".
        var name = d.OptionValues is { Count: > 0 } values ? $"{d.Name}, {string.Join(", ", values.Select(v => $"{v.Key} {v.Value}"))}" : d.Name;
        var text = $"{name} ({d.Sku}) is low on stock: {d.Available} available ({d.OnHand} on hand, {d.Reserved} reserved), threshold {d.LowStockThreshold}.\n";
        var html = $"<p><strong>{OrderConfirmationEmailHandler.Enc(name)}</strong> ({OrderConfirmationEmailHandler.Enc(d.Sku)}) is low on stock: "
            + $"{d.Available} available ({d.OnHand} on hand, {d.Reserved} reserved), threshold {d.LowStockThreshold}.</p>";
        foreach (var admin in admins)
        {
            await mailer.SendOnceAsync($"low-stock:{low.Id}", "low_stock", new EmailMessage(admin, $"Low stock: {name} ({d.Sku})", text, html), cancellationToken);
        }
    }
}
