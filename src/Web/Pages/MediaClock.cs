namespace Events.Web.Pages;

/// <summary>A video time as players show it: m:ss, or h:mm:ss from an hour on (whole seconds).</summary>
public static class MediaClock
{
    public static string Of(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Floor(Math.Max(0, seconds)));
        return t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
    }
}
