using Microsoft.Extensions.Hosting;

namespace Shop.Core.Common;

/// <summary>Where the process keeps local files it owns (the Development signing key).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Relative paths resolve against the content root; default is the content root itself.</summary>
    public string? DataDirectory { get; set; }

    public string ResolveDataDirectory(IHostEnvironment environment) =>
        Path.GetFullPath(DataDirectory ?? ".", environment.ContentRootPath);
}
