using System.Text;
using Microsoft.Extensions.Options;
using Shop.Core.Common;
using Shop.Core.Payments;

namespace Shop.UnitTests;

public class WebhookReaderTests
{
    private const string Secret = "whsec_unit_tests";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid PaymentId = Guid.Parse("0199a6b2-3333-7e5f-8a9b-0c1d2e3f4a5b");

    private static readonly string Event =
        $$$"""{"id":"evt_1","type":"charge.succeeded","data":{"paymentId":"{{{PaymentId}}}","reference":"ch_1","amount":12.5}}""";

    [Fact]
    public async Task A_signed_event_for_the_configured_provider_is_read_whatever_the_case_of_its_name()
    {
        var reader = Reader();
        var webhook = await reader.ReadAsync("sandbox", Sign(Event, Now), Body(Event), CancellationToken.None);

        Assert.Equal("evt_1", webhook.Id);
        Assert.Equal(WebhookEventTypes.ChargeSucceeded, webhook.Type);
        Assert.Equal(PaymentId, webhook.Data.PaymentId);
        Assert.Equal(12.5m, webhook.Data.Amount);
        Assert.Equal(SandboxProvider.ProviderName, reader.Provider);
    }

    [Fact]
    public async Task Another_provider_is_not_found()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Reader().ReadAsync("stripe", Sign(Event, Now), Body(Event), CancellationToken.None));
    }

    [Fact]
    public async Task Without_a_configured_secret_every_request_is_a_bad_signature()
    {
        var error = await Assert.ThrowsAsync<RequestValidationException>(() =>
            Reader(secret: null).ReadAsync("Sandbox", Sign(Event, Now), Body(Event), CancellationToken.None));
        Assert.Contains(WebhookSignature.Header, error.Errors.Keys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=abc,v1=abc")]
    [InlineData("t=999999999999,v1=abc")]
    public async Task A_missing_or_malformed_signature_header_is_refused(string? header)
    {
        var error = await Assert.ThrowsAsync<RequestValidationException>(() => Reader().ReadAsync("Sandbox", header, Body(Event), CancellationToken.None));
        Assert.Contains(WebhookSignature.Header, error.Errors.Keys);
    }

    [Fact]
    public async Task A_signature_of_another_body_or_with_another_secret_is_refused()
    {
        var tampered = Event.Replace("12.5", "1250", StringComparison.Ordinal);
        await Assert.ThrowsAsync<RequestValidationException>(() => Reader().ReadAsync("Sandbox", Sign(Event, Now), Body(tampered), CancellationToken.None));
        await Assert.ThrowsAsync<RequestValidationException>(() =>
            Reader().ReadAsync("Sandbox", WebhookSignature.Sign("another-secret", Now, Encoding.UTF8.GetBytes(Event)), Body(Event), CancellationToken.None));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task A_signature_more_than_five_minutes_from_now_is_refused(int secondsAway)
    {
        await Assert.ThrowsAsync<RequestValidationException>(() =>
            Reader().ReadAsync("Sandbox", Sign(Event, Now.AddSeconds(secondsAway)), Body(Event), CancellationToken.None));
    }

    [Fact]
    public async Task A_signature_within_five_minutes_is_accepted()
    {
        var webhook = await Reader().ReadAsync("Sandbox", Sign(Event, Now.AddSeconds(-299)), Body(Event), CancellationToken.None);
        Assert.Equal("evt_1", webhook.Id);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("""{"id":"evt_1","type":"charge.succeeded","data":{"paymentId":"not-a-uuid"}}""")]
    public async Task A_signed_body_that_is_not_an_event_is_refused(string body)
    {
        var error = await Assert.ThrowsAsync<RequestValidationException>(() => Reader().ReadAsync("Sandbox", Sign(body, Now), Body(body), CancellationToken.None));
        Assert.Contains("body", error.Errors.Keys);
    }

    [Fact]
    public async Task A_signed_event_without_its_required_fields_names_them()
    {
        const string body = """{"id":"","type":"charge.succeeded","data":{"paymentId":"00000000-0000-0000-0000-000000000000"}}""";
        var error = await Assert.ThrowsAsync<RequestValidationException>(() => Reader().ReadAsync("Sandbox", Sign(body, Now), Body(body), CancellationToken.None));
        Assert.Contains("Id", error.Errors.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.Contains(error.Errors.Keys, k => k.EndsWith("PaymentId", StringComparison.OrdinalIgnoreCase));
    }

    private static WebhookReader Reader(string? secret = Secret) =>
        new(Options.Create(new PaymentOptions { Provider = SandboxProvider.ProviderName, WebhookSecret = secret }), new WebhookEventValidator(), new FixedClock(Now));

    private static string Sign(string body, DateTimeOffset at) => WebhookSignature.Sign(Secret, at, Encoding.UTF8.GetBytes(body));

    private static MemoryStream Body(string body) => new(Encoding.UTF8.GetBytes(body));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
