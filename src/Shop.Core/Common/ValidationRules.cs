using System.Text.RegularExpressions;
using FluentValidation;

namespace Shop.Core.Common;

/// <summary>Field rules used by more than one request validator.</summary>
public static partial class ValidationRules
{
    public const int MaxEmailLength = 254;

    /// <summary>
    /// One '@', a dot in the domain, no whitespace or control characters, at most 254 characters.
    /// Stricter than FluentValidation's EmailAddress(), which accepts "a@b".
    /// </summary>
    public static IRuleBuilderOptions<T, string> ValidEmail<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty()
            .MaximumLength(MaxEmailLength)
            .Must(e => e is null || EmailPattern().IsMatch(e.Trim()))
            .WithMessage("'{PropertyName}' must be a valid email address.");

    public static IRuleBuilderOptions<T, string?> RequiredText<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.NotEmpty().Must(s => !string.IsNullOrWhiteSpace(s)).WithMessage("'{PropertyName}' must not be blank.")
            .MaximumLength(maxLength);

    public static IRuleBuilderOptions<T, string?> OptionalText<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.MaximumLength(maxLength);

    [GeneratedRegex(@"^[^@\s\p{Cc}]{1,64}@[^@\s\p{Cc}.]+(\.[^@\s\p{Cc}.]+)+$")]
    private static partial Regex EmailPattern();
}
