using System.Text.RegularExpressions;
using FluentValidation;
using Shop.Core.Common;

namespace Shop.Core.Users;

public sealed class RegisterRequestValidator : AbstractValidator<RegisterRequest>
{
    public RegisterRequestValidator()
    {
        RuleFor(x => x.Email).ValidEmail();
        RuleFor(x => x.Password).NewPassword();
        RuleFor(x => x.FullName).RequiredText(UserLimits.FullName);
    }
}

public sealed class LoginRequestValidator : AbstractValidator<LoginRequest>
{
    public LoginRequestValidator()
    {
        RuleFor(x => x.Email).NotEmpty().MaximumLength(ValidationRules.MaxEmailLength);
        // No length policy on login (a wrong password is a 401), only a cap so nobody makes us hash a megabyte.
        RuleFor(x => x.Password).NotEmpty().MaximumLength(1024);
    }
}

public sealed class RefreshRequestValidator : AbstractValidator<RefreshRequest>
{
    public RefreshRequestValidator() => RuleFor(x => x.RefreshToken).NotEmpty().MaximumLength(512);
}

public sealed partial class UpdateProfileRequestValidator : AbstractValidator<UpdateProfileRequest>
{
    public UpdateProfileRequestValidator()
    {
        RuleFor(x => x.FullName).RequiredText(UserLimits.FullName).When(x => x.FullName is not null);
        RuleFor(x => x.Phone!)
            .MaximumLength(UserLimits.Phone)
            .Matches(PhonePattern()).WithMessage("'{PropertyName}' must be a phone number such as +1 555 0100 (digits, spaces, '-', '(', ')', optional leading '+').")
            .When(x => !string.IsNullOrEmpty(x.Phone));
    }

    [GeneratedRegex(@"^\+?[0-9][0-9 ()\-]{3,30}[0-9]$")]
    private static partial Regex PhonePattern();
}

public sealed class ChangePasswordRequestValidator : AbstractValidator<ChangePasswordRequest>
{
    public ChangePasswordRequestValidator()
    {
        RuleFor(x => x.CurrentPassword).NotEmpty().MaximumLength(1024);
        RuleFor(x => x.NewPassword).NewPassword();
    }
}

public sealed class AdminUpdateUserRequestValidator : AbstractValidator<AdminUpdateUserRequest>
{
    public AdminUpdateUserRequestValidator()
    {
        RuleFor(x => x.Role).Must(Roles.IsKnown).When(x => x.Role is not null)
            .WithMessage($"'{{PropertyName}}' must be '{Roles.Customer}' or '{Roles.Admin}'.");
        RuleFor(x => x).Must(x => x.Role is not null || x.IsActive is not null)
            .OverridePropertyName("body").WithMessage("Send at least one of 'role' and 'isActive'.");
    }
}

public sealed class UserListQueryValidator : AbstractValidator<UserListQuery>
{
    public UserListQueryValidator()
    {
        this.ValidatePaging(q => q.Page, q => q.PageSize);
        RuleFor(x => x.Email).MaximumLength(ValidationRules.MaxEmailLength);
        RuleFor(x => x.Role).Must(Roles.IsKnown).When(x => x.Role is not null)
            .WithMessage($"'{{PropertyName}}' must be '{Roles.Customer}' or '{Roles.Admin}'.");
    }
}

public sealed class AddressRequestValidator : AbstractValidator<AddressRequest>
{
    public AddressRequestValidator()
    {
        RuleFor(x => x.FullName).RequiredText(AddressLimits.FullName);
        RuleFor(x => x.Line1).RequiredText(AddressLimits.Line);
        RuleFor(x => x.Line2).OptionalText(AddressLimits.Line);
        RuleFor(x => x.City).RequiredText(AddressLimits.City);
        RuleFor(x => x.Region).OptionalText(AddressLimits.Region);
        RuleFor(x => x.PostalCode).RequiredText(AddressLimits.PostalCode);
        RuleFor(x => x.Country).NotEmpty().Must(c => CountryCodes.IsValid(c?.Trim()))
            .WithMessage("'{PropertyName}' must be an ISO 3166-1 alpha-2 country code such as 'US' or 'DE'.");
    }
}

internal static class PasswordRules
{
    public static IRuleBuilderOptions<T, string> NewPassword<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Length(UserLimits.PasswordMin, UserLimits.PasswordMax);
}
