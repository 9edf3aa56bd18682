using Microsoft.EntityFrameworkCore;
using Shop.Core.Common;
using Shop.Core.Data;
using Shop.Core.Messaging;

namespace Shop.Core.Notifications;

/// <summary>Sends each keyed email at most once per recipient, unless a crash falls between sending and recording it.</summary>
public sealed class Mailer(ShopDbContext db, IEmailSender sender, TimeProvider clock)
{
    public async Task SendOnceAsync(string key, string kind, EmailMessage message, CancellationToken cancellationToken)
    {
        using var span = Telemetry.Source.StartActivity("email.send");
        span?.SetTag("email.kind", kind);
        var recordKey = $"{key}:{message.To}";
        if (await db.SentEmails.AnyAsync(e => e.Key == recordKey, cancellationToken))
        {
            return;
        }

        await sender.SendAsync(message, cancellationToken);
        var record = new SentEmail { Key = recordKey, Recipient = message.To, SentAt = clock.GetUtcNow().UtcDateTime };
        db.SentEmails.Add(record);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent delivery of the same event sent it too; nothing more to record. Forget
            // the record, or the next email of this handler (low stock goes to every admin) would
            // try to save it again and lose its own.
            db.Entry(record).State = EntityState.Detached;
        }

        ShopMetrics.EmailsSent.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }
}
