using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>A real SMTP server on a loopback port (the SmtpServer library) that keeps what it receives.</summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly Store _store = new();

    public TestSmtpServer()
    {
        Port = Loopback.FreePort();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).IsSecure(false))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        services.Add(new RejectingFilter());
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public IReadOnlyCollection<MimeMessage> Messages => _store.Messages;

    /// <summary>Waits (bounded) for a message that matches, and returns it.</summary>
    public async Task<MimeMessage> WaitForAsync(Func<MimeMessage, bool> match, TimeSpan? timeout = null) =>
        (await Eventually.Until("a matching email", () => Task.FromResult(_store.Messages.FirstOrDefault(match)), found => found is not null,
            timeout ?? TimeSpan.FromSeconds(20), _ => $"received: {string.Join(" | ", _store.Messages.Select(m => $"{m.To} {m.Subject}"))}"))!;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Recipients whose address starts with this are refused (550), as a real server refuses an unknown mailbox.</summary>
    public const string RejectedPrefix = "reject-";

    private sealed class RejectingFilter : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, SmtpServer.Mail.IMailbox to, SmtpServer.Mail.IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!to.User.StartsWith(RejectedPrefix, StringComparison.OrdinalIgnoreCase));
    }

    private sealed class Store : MessageStore
    {
        public ConcurrentQueue<MimeMessage> Messages { get; } = new();

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            Messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
