using System.Globalization;

namespace Events.Web;

/// <summary>
/// A clock that starts at a chosen moment and runs at real speed from there (setting
/// <c>Clock:StartAt</c>): a rehearsal of an event day on its demo content, and the tests and the
/// benchmark, whose demo sessions must keep their schedule whatever the real date. The platform reads
/// "now" only through <see cref="TimeProvider"/>, so pages, grains and rate limits agree. Refused in
/// Production: there the real clock decides.
/// </summary>
public sealed class RehearsalClock(DateTimeOffset startAt) : TimeProvider
{
    private readonly DateTimeOffset realStart = System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => startAt + (System.GetUtcNow() - realStart);

    /// <summary>Registers the clock when <c>Clock:StartAt</c> is set; the setting stops a Production start.</summary>
    public static void AddIfConfigured(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Clock");
        foreach (var child in section.GetChildren())
        {
            if (child.Key != "StartAt")
            {
                throw new InvalidOperationException($"Configuration 'Clock:{child.Key}' is not a setting; the one setting of 'Clock' is 'StartAt'.");
            }
        }
        var value = section["StartAt"];
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        if (builder.Environment.IsProduction())
        {
            throw new InvalidOperationException("Configuration 'Clock:StartAt' is for rehearsals, tests and benchmarks; it is refused in the Production environment.");
        }
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startAt))
        {
            throw new InvalidOperationException($"Configuration 'Clock:StartAt' must be a date and time such as 2026-12-12T13:00:00+08:00.");
        }
        builder.Services.AddSingleton<TimeProvider>(new RehearsalClock(startAt));
    }
}
