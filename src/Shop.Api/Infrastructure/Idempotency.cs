using Microsoft.AspNetCore.Http.HttpResults;
using Shop.Core.Common;

namespace Shop.Api.Infrastructure;

/// <summary>
/// The Idempotency-Key convention at the HTTP edge, as one endpoint filter: validate the key, claim
/// it, replay a stored answer, and forget the claim when the request fails. The handler passes the
/// claim (<see cref="TicketOf"/>) to its service, which stores the answer in its own transaction.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <param name="operation">Scopes the key, with the user: one key may serve two operations.</param>
    /// <param name="location">The Location of the resource the operation creates, from its id.</param>
    /// <param name="required">Without a key: 400 when required, else the request runs unprotected.</param>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder, string operation, Func<Guid, string> location, bool required)
    {
        builder.WithMetadata(new IdempotencyKeyMetadata(required));
        builder.Problems(StatusCodes.Status409Conflict, "idempotency-in-progress");
        builder.Problems(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused");
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            // The body as bound (a *Request record) is what the key stands for, with the route when the path names a resource:
            // the same key on another payment is another request.
            var body = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.ParameterType.Name.EndsWith("Request", StringComparison.Ordinal));
            return async context =>
            {
                var http = context.HttpContext;
                if (!http.Request.Headers.TryGetValue(Header, out var header))
                {
                    return required
                        ? throw new RequestValidationException(Header, $"This operation needs an {Header} header, so that a retry never does it twice.")
                        : await next(context);
                }

                var key = header.ToString();
                if (key.Length is 0 or > IdempotencyService.MaxKeyLength || key.Any(char.IsControl))
                {
                    throw new RequestValidationException(Header, $"The {Header} header must be 1 to {IdempotencyService.MaxKeyLength} printable characters.");
                }

                var request = body >= 0 ? context.Arguments[body] : null;
                var fingerprint = http.Request.RouteValues.Count == 0
                    ? IdempotencyService.Fingerprint(request)
                    : IdempotencyService.Fingerprint(new { route = http.Request.RouteValues.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => v.Value?.ToString()), body = request });
                var idempotency = http.RequestServices.GetRequiredService<IdempotencyService>();
                var start = await idempotency.BeginAsync(http.User.UserId(), operation, key, fingerprint, http.RequestAborted);
                if (start.Replay is { } replay)
                {
                    return Replay(http, replay);
                }

                var ticket = new IdempotencyTicket(start.Ticket!.Value, location);
                http.Features.Set(ticket);
                try
                {
                    return await next(context);
                }
                catch
                {
                    await idempotency.AbandonAsync(ticket.Id);
                    throw;
                }
            };
        });
        return builder;
    }

    /// <summary>The claimed key of this request, when it came with one.</summary>
    public static IdempotencyTicket? TicketOf(HttpContext http) => http.Features.Get<IdempotencyTicket>();

    private static ContentHttpResult Replay(HttpContext http, IdempotencyRecord replay)
    {
        if (replay.ResponseLocation is { } location)
        {
            http.Response.Headers.Location = location;
        }

        http.Response.Headers[ReplayedHeader] = "true";
        return TypedResults.Content(replay.ResponseBody, "application/json", statusCode: replay.ResponseStatus);
    }
}

/// <summary>Marks an operation that honours Idempotency-Key, for the OpenAPI document.</summary>
public sealed record IdempotencyKeyMetadata(bool Required);
