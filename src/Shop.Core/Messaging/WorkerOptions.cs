namespace Shop.Core.Messaging;

public sealed class WorkerOptions
{
    public const string Section = "Workers";

    /// <summary>Run the background handlers and the scheduler in this process.</summary>
    public bool Enabled { get; set; } = true;
}
