using System.Diagnostics;
using Xunit.Sdk;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// The tests' one poll-until loop: reads a value until a condition holds, or fails once the timeout
/// has passed, saying what it waited for and what it saw last.
/// </summary>
public static class Eventually
{
    // Short pauses first, since most waits end within a few hundred milliseconds; then no faster than
    // this, so that slow waits (processes, brokers, schedules) do not hammer what they poll.
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(500);

    /// <summary>Reads until <paramref name="holds"/> is true of the value, and returns that value.</summary>
    /// <param name="what">What is awaited, for the failure message: "payment 42 to be settled".</param>
    /// <param name="show">How to show the last value in the failure message; its ToString() by default.</param>
    public static Task<T> Until<T>(string what, Func<Task<T>> read, Func<T, bool> holds, TimeSpan timeout, Func<T, string>? show = null) =>
        Until(what, read, holds, timeout, last => Task.FromResult(show is null ? $"{last}" : show(last)));

    /// <summary>The same, for a failure message that takes a round trip to write (a broker's queues, say).</summary>
    public static async Task<T> Until<T>(string what, Func<Task<T>> read, Func<T, bool> holds, TimeSpan timeout, Func<T, Task<string>> show)
    {
        var elapsed = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var last = await read();
            if (holds(last))
            {
                return last;
            }

            if (elapsed.Elapsed >= timeout)
            {
                throw new XunitException($"Waited {timeout.TotalSeconds:0.#} s for {what}; last seen: {await show(last)}");
            }

            await Task.Delay(pause);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }
}
