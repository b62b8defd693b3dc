using System.Globalization;
using Events.Silo;

namespace Events.Web;

/// <summary>
/// The setting <c>Clock:StartAt</c>: the events' clock (<see cref="EventClock"/>) starts at that
/// moment and runs at real speed, for a rehearsal of an event day on its demo content, the tests and
/// the benchmark. Only the events' "now" moves; the host, Orleans and sign-in keep the real clock.
/// Refused in Production: there the real clock decides.
/// </summary>
public static class RehearsalClock
{
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
        builder.Services.AddSingleton(new EventClock(startAt));
    }
}
