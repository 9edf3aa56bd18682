using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Sdk;

namespace Shop.IntegrationTests.Infrastructure;

public static class Expect
{
    public static async Task Status(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new XunitException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>Asserts an RFC 9457 problem with the given status, and returns it.</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        await Status(response, expected);
        var body = await response.Content.ReadAsStringAsync();
        if (ProblemViolation(response, body) is { } violation)
        {
            throw new XunitException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {violation}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a problem of this status whose type ends with <paramref name="typeSuffix"/> (e.g. <c>cart-closed</c>).</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode expected, string typeSuffix)
    {
        var problem = await Problem(response, expected);
        Assert.EndsWith(typeSuffix, problem.GetProperty("type").GetString());
        return problem;
    }

    /// <summary>
    /// Null when <paramref name="body"/> is the RFC 9457 problem the contract promises for this answer:
    /// application/problem+json, its status, a type, title, detail and traceId, no stack trace. Else what is wrong.
    /// </summary>
    public static string? ProblemViolation(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} is not application/problem+json but '{response.Content.Headers.ContentType}': {Shorten(body)}";
        }

        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return $"{status} problem is not JSON: {Shorten(body)}";
        }

        if (problem.ValueKind != JsonValueKind.Object || !problem.TryGetProperty("status", out var statusMember)
            || statusMember.ValueKind != JsonValueKind.Number || statusMember.GetInt32() != status)
        {
            return $"{status} problem does not carry status {status}: {Shorten(body)}";
        }

        foreach (var member in new[] { "type", "title", "detail", "traceId" })
        {
            if (!problem.TryGetProperty(member, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
            {
                return $"{status} problem lacks '{member}': {Shorten(body)}";
            }
        }

        return body.Contains("   at ", StringComparison.Ordinal) ? $"{status} problem holds a stack trace: {Shorten(body)}" : null;
    }

    private static string Shorten(string text) => text.Length <= 500 ? text : $"{text[..500]}... ({text.Length} chars)";

    /// <summary>Asserts a 400 validation problem whose errors name the given field.</summary>
    public static async Task<JsonElement> ValidationError(HttpResponseMessage response, string field)
    {
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"no errors object: {problem}");
        Assert.True(errors.TryGetProperty(field, out _), $"errors do not name '{field}': {errors}");
        return problem;
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        await Status(response, expected);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
