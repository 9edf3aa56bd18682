using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Shop.Core.Notifications;

public sealed record EmailMessage(string To, string Subject, string Text, string Html);

public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>Sends with MailKit to Smtp:Host, or drops .eml files into the pickup directory when no host is configured.</summary>
public sealed partial class EmailSender(IOptions<SmtpOptions> options, IHostEnvironment environment, ILogger<EmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(smtp.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();

        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            var directory = Path.GetFullPath(smtp.PickupDirectory, environment.ContentRootPath);
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");
            await mime.WriteToAsync(path, cancellationToken);
            LogPickedUp(logger, message.Subject, path);
            return;
        }

        using var client = new SmtpClient();
        var security = smtp.Port == 465 ? SecureSocketOptions.SslOnConnect
            : smtp.UseTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None;
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        LogSent(logger, message.Subject, smtp.Host);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote email '{Subject}' to {Path}")]
    private static partial void LogPickedUp(ILogger logger, string subject, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent email '{Subject}' through {Host}")]
    private static partial void LogSent(ILogger logger, string subject, string host);
}
