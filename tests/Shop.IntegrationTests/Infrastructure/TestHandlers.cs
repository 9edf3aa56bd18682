using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit.Sdk;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// The test server has no sockets, so every request would come from "no address". This filter
/// gives each test client an address of its own, so per-address limits apply per test, as they
/// would per real client.
/// </summary>
internal sealed class TestClientAddressFilter : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public static string RandomAddress()
    {
        var bytes = RandomNumberGenerator.GetBytes(3);
        return $"10.{bytes[0]}.{bytes[1]}.{bytes[2]}";
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var value) && IPAddress.TryParse(value, out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>A 5xx is a bug whatever the test was about: fail on the spot, with the body (and, for an in-process host, what it logged).</summary>
internal sealed class FailOnServerErrorHandler(Func<string>? serverLog = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new XunitException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {body}\n{serverLog?.Invoke()}");
        }

        return response;
    }
}
