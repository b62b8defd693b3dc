namespace Events.Silo.Tests;

/// <summary>Polls a condition until it holds, failing with what was awaited after the timeout.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 10_000) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeoutMs);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("Timed out waiting for " + what);
            }
            await Task.Delay(20);
        }
    }
}
