namespace Shop.Core.Common;

/// <summary>
/// <c>dotnet Shop.Api.dll probe URL</c> (and the worker's alike): GET the URL and exit 0 on a 2xx
/// answer within 3 s, 1 otherwise, 2 for a URL it cannot read. The containers' HEALTHCHECK: the
/// runtime image has no curl or wget, and this runs before the host is built, so it costs a bare
/// process start and not the application's.
/// </summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            await Console.Error.WriteLineAsync($"usage: probe http://HOST:PORT/PATH (not '{url}')");
            return 2;
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(uri);
            Console.WriteLine($"{uri}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{uri}: {e.Message}");
            return 1;
        }
    }
}
