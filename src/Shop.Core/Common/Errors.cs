namespace Shop.Core.Common;

/// <summary>
/// Domain failures. Services throw these; the API maps each to one RFC 9457 problem response
/// in a single exception handler, so no endpoint decides status codes for errors on its own.
/// </summary>
public abstract class ShopException(string message, string problemType) : Exception(message)
{
    /// <summary>The last segment of the problem <c>type</c> URI, e.g. <c>insufficient-stock</c>.</summary>
    public string ProblemType { get; } = problemType;

    /// <summary>Extra members of the problem body, e.g. the <c>productId</c> that is out of stock.</summary>
    public Dictionary<string, object?> Extensions { get; } = [];
}

public sealed class NotFoundException(string message) : ShopException(message, "not-found");

public sealed class ConflictException(string message, string problemType = "conflict") : ShopException(message, problemType);

/// <summary>The request is well-formed but cannot be processed as sent (e.g. an idempotency key reused with another body): 422.</summary>
public sealed class UnprocessableException(string message, string problemType) : ShopException(message, problemType);

public sealed class UnauthorizedException(string message) : ShopException(message, "unauthorized");

public sealed class ForbiddenException(string message) : ShopException(message, "forbidden");

public sealed class TooManyRequestsException(string message, TimeSpan retryAfter) : ShopException(message, "too-many-requests")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A rule that needs the database to decide (e.g. "current password is wrong"): 400 with an errors object.</summary>
public sealed class RequestValidationException(IDictionary<string, string[]> errors, string message) : ShopException(message, "validation")
{
    public RequestValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] }, message)
    {
    }

    public IDictionary<string, string[]> Errors { get; } = errors;
}
