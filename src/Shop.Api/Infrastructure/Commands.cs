namespace Shop.Api.Infrastructure;

public static class Commands
{
    private static readonly string[] Verbs = ["codegen", "describe", "resources", "help", "check-env", "storage"];

    /// <summary>
    /// JasperFx commands ("codegen write", "describe", ...) when the first argument names one;
    /// otherwise a plain run, so that configuration arguments and the test host behave as usual.
    /// </summary>
    public static async Task<int> RunOrCommandAsync(this WebApplication app, string[] args)
    {
        if (args.Length > 0 && Verbs.Contains(args[0], StringComparer.OrdinalIgnoreCase))
        {
            return await JasperFx.CommandLineHostingExtensions.RunJasperFxCommands(app, args);
        }

        await app.RunAsync();
        return 0;
    }
}
