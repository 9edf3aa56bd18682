using System.Runtime;

namespace Shop.Api.Infrastructure;

/// <summary>
/// Multi-core JIT for start-up. Most of a start is the JIT compiling code for the first time (about
/// 15,000 methods: EF Core building its model, Wolverine, ASP.NET Core's endpoints; the NuGet
/// packages ship no precompiled code and a build makes none). Each start records which methods it
/// compiled, in a small file beside the application; the next start compiles them ahead, on another
/// core, while the main thread runs. Best effort: a directory it cannot write only means no profile.
/// </summary>
public static class StartupJit
{
    public static void Profile(string[] args)
    {
        ProfileOptimization.SetProfileRoot(AppContext.BaseDirectory);
        // A maintenance command ("migrate", "seed") starts differently from the server: its own profile.
        ProfileOptimization.StartProfile(args is [var verb, ..] && !verb.StartsWith('-') ? "command.jitprofile" : "serve.jitprofile");
    }
}
