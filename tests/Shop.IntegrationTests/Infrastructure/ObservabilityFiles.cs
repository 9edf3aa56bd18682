namespace Shop.IntegrationTests.Infrastructure;

/// <summary>The committed Grafana dashboard and Prometheus rules of deploy/observability.</summary>
public static class ObservabilityFiles
{
    public static string Dashboard => File.ReadAllText(Path.Combine(Directory, "grafana-dashboard.json"));

    public static string Rules => File.ReadAllText(Path.Combine(Directory, "alerts.yaml"));

    private static string Directory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Shop.slnx")))
                {
                    return Path.Combine(directory.FullName, "deploy", "observability");
                }
            }

            throw new InvalidOperationException($"No Shop.slnx above {AppContext.BaseDirectory}.");
        }
    }
}
