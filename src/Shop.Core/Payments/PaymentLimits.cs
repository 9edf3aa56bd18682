namespace Shop.Core.Payments;

public static class PaymentLimits
{
    public const int Token = 200;
    public const int Reason = 500;
}
