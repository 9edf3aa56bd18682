namespace Shop.Core.Users;

public static class UserLimits
{
    public const int FullName = 100;
    public const int Phone = 32;
    public const int PasswordMin = 8;
    public const int PasswordMax = 128;
}

public static class AddressLimits
{
    public const int FullName = 100;
    public const int Line = 200;
    public const int City = 100;
    public const int Region = 100;
    public const int PostalCode = 20;
}
