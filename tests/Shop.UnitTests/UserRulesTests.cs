using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shop.Core.Common;
using Shop.Core.Users;

namespace Shop.UnitTests;

public class UserRulesTests
{
    private static readonly PasswordHasher Hasher = new(Options.Create(new PasswordOptions()));

    [Fact]
    public void Hashes_are_bcrypt_with_a_work_factor_of_at_least_11_and_salted()
    {
        var first = Hasher.Hash("correct-horse-9");
        var second = Hasher.Hash("correct-horse-9");
        Assert.StartsWith("$2", first, StringComparison.Ordinal);
        Assert.True(int.Parse(first.Split('$')[2]) >= 11);
        Assert.NotEqual(first, second);
        Assert.True(Hasher.Verify("correct-horse-9", first));
        Assert.False(Hasher.Verify("correct-horse-8", first));
    }

    [Fact]
    public void Passwords_that_share_their_first_72_bytes_do_not_verify_against_each_other()
    {
        var prefix = new string('a', 72);
        var hash = Hasher.Hash(prefix + "1");
        Assert.True(Hasher.Verify(prefix + "1", hash));
        Assert.False(Hasher.Verify(prefix + "2", hash));
        Assert.False(Hasher.Verify(prefix, hash));
    }

    [Fact]
    public void Verifying_against_no_hash_or_garbage_is_false_not_an_exception()
    {
        Assert.False(Hasher.Verify("anything", null));
        Assert.False(Hasher.Verify("anything", "not-a-bcrypt-hash"));
    }

    [Theory]
    [InlineData("a@example.com", true)]
    [InlineData("first.last+tag@sub.example.co.uk", true)]
    [InlineData("a@b", false)]
    [InlineData("a@@b.com", false)]
    [InlineData("a b@c.com", false)]
    [InlineData("a@b.", false)]
    [InlineData("a@.com", false)]
    [InlineData("", false)]
    public void Email_rule(string email, bool valid)
    {
        var result = new RegisterRequestValidator().Validate(new RegisterRequest(email, "long-enough-1", "Name"));
        Assert.Equal(valid, result.Errors.All(e => e.PropertyName != "Email" && e.PropertyName != "email"));
    }

    [Fact]
    public void Validation_errors_use_camel_case_json_names()
    {
        new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddShopValidation();
        var result = new AddressRequestValidator().Validate(new AddressRequest("", "", null, "", null, "", "ZZ"));
        Assert.Contains(result.Errors, e => e.PropertyName == "postalCode");
        Assert.Contains(result.Errors, e => e.PropertyName == "country");
    }

    [Theory]
    [InlineData("US", true)]
    [InlineData("de", true)]
    [InlineData("GB", true)]
    [InlineData("UK", false)]
    [InlineData("USA", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Country_codes_are_iso_3166_alpha_2(string? code, bool valid) => Assert.Equal(valid, CountryCodes.IsValid(code));

    [Fact]
    public void The_country_list_has_every_assigned_code() => Assert.Equal(249, CountryCodes.Count);

    [Theory]
    [InlineData(0, 20, 0)]
    [InlineData(1, 20, 1)]
    [InlineData(20, 20, 1)]
    [InlineData(21, 20, 2)]
    [InlineData(123, 20, 7)]
    public void Total_pages_round_up(int total, int pageSize, int pages) =>
        Assert.Equal(pages, PagedResult.Create<int>([], new PageQuery(1, pageSize), total).TotalPages);

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Production", "short", false)]
    [InlineData("Development", "short", false)]
    [InlineData("Production", "0123456789abcdef0123456789abcdef", true)]
    public void Signing_key_rules(string environment, string? key, bool valid)
    {
        var result = new JwtOptionsValidator(new Environment(environment)).Validate(null, new JwtOptions { SigningKey = key });
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Jwt:SigningKey", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Shop";
        public string ContentRootPath { get; set; } = "/";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
