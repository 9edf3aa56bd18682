using System.Diagnostics;
using System.Globalization;
using Shop.Core.Catalog;
using Shop.Core.Data;
using Spectre.Console;

namespace Shop.Api.Infrastructure;

/// <summary>
/// What <c>dotnet Shop.Api.dll</c> does: serve the API, or run one maintenance command with the same
/// configuration and exit (0 on success, 1 on failure, 2 on a bad command line):
/// <c>migrate</c>, <c>seed --products N [--categories M]</c>, and JasperFx's
/// (<c>codegen write</c>, <c>describe</c>, ...).
/// </summary>
public static partial class Commands
{
    private static readonly string[] JasperFxVerbs = ["codegen", "describe", "resources", "help", "check-env", "storage"];

    public static async Task<int> RunOrCommandAsync(this WebApplication app, string[] args)
    {
        var verb = args.Length > 0 ? args[0].ToLowerInvariant() : null;
        if (verb is not null && JasperFxVerbs.Contains(verb))
        {
            return await JasperFx.CommandLineHostingExtensions.RunJasperFxCommands(app, args);
        }

        switch (verb)
        {
            case "migrate":
                return await RunAsync(app, ct => app.Services.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct));
            case "seed":
                return Option(args, "--products") is not { } products || products < 0 || Option(args, "--categories") is < 1
                    ? Usage("seed --products N [--categories M]: N products (0 or more) over M leaf categories (1 or more; by default the demo tree's 27)")
                    : await RunAsync(app, ct => SeedAsync(app, products, (int?)Option(args, "--categories"), ct));
            default:
                await app.RunAsync();
                return 0;
        }
    }

    private static async Task<int> RunAsync(WebApplication app, Func<CancellationToken, Task> command)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            await command(cancel.Token);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException || cancel.IsCancellationRequested)
        {
            LogFailed(app.Logger, e);
            return 1;
        }
    }

    /// <summary>Migrates first (a fresh database can be seeded in one step), then fills the catalog with a progress bar.</summary>
    private static async Task SeedAsync(WebApplication app, long products, int? categories, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<DatabaseInitializer>().MigrateAsync(cancellationToken);
        var seeder = app.Services.GetRequiredService<CatalogBulkSeeder>();
        var clock = Stopwatch.StartNew();
        BulkSeedResult result;
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            result = await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Seeding products", maxValue: Math.Max(1, products));
                    return await seeder.SeedAsync(products, categories, new Progress<long>(n => task.Value = n), cancellationToken);
                });
        }
        else
        {
            var reported = 0L;
            result = await seeder.SeedAsync(products, categories, new SyncProgress(n =>
            {
                if (n - reported >= 100_000 || n == products)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {n:N0} products ({clock.Elapsed.TotalSeconds:F1} s)"));
                    reported = n;
                }
            }), cancellationToken);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Catalog: {result.SeededProducts:N0} seeded products ({result.ProductsInserted:N0} added now) over {result.LeafCategories} leaf categories " +
            $"({result.CategoriesCreated} categories created) in {clock.Elapsed.TotalSeconds:F1} s."));
    }

    private static long? Option(string[] args, string name)
    {
        var at = Array.FindIndex(args, a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
        return at >= 0 && at + 1 < args.Length && long.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static int Usage(string usage)
    {
        Console.Error.WriteLine($"usage: dotnet Shop.Api.dll {usage}");
        return 2;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The command failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
