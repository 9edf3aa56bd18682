namespace Shop.Core.Carts;

public sealed class CartsOptions
{
    public const string Section = "Carts";

    /// <summary>A cart untouched (not changed) for this long expires: it answers 404 and the recurring job deletes it.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(30);
}
