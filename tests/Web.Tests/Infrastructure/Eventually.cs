namespace Events.Web.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the timeout.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("Timed out waiting for: " + what);
            }
            await Task.Delay(20);
        }
    }

    /// <summary>As above, with a description made when it fails (to say what was seen instead).</summary>
    public static async Task TrueAsync(Func<bool> condition, Func<string> what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("Timed out waiting for: " + what());
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds, failing with <paramref name="what"/> after the timeout.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("Timed out waiting for: " + what);
            }
            await Task.Delay(50);
        }
    }
}
