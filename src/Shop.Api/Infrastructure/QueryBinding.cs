using System.Diagnostics.CodeAnalysis;

namespace Shop.Api.Infrastructure;

/// <summary>
/// The Request Delegate Generator writes every endpoint's binding at build time (no expression trees
/// compiled at start-up), except for the reads whose query is an <c>[AsParameters]</c> record: its code
/// answers a value that does not parse (<c>page=abc</c>) with a bare 400 where ASP.NET Core's
/// runtime factory names the parameter and the value, which the problem's detail passes on.
/// </summary>
public static class QueryBinding
{
    /// <summary>A GET bound at start-up by the runtime factory: the generator leaves alone a handler it only sees as a <see cref="Delegate"/>.</summary>
    public static RouteHandlerBuilder MapQuery(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, Delegate handler) =>
#pragma warning disable RDG002 // "generated at runtime" is the point
        endpoints.MapGet(pattern, handler);
#pragma warning restore RDG002
}
