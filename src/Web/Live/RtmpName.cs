namespace Events.Web.Live;

/// <summary>
/// The RTMP stream key an organizer pastes into OBS: the session's id and its secret key joined by a
/// dot (<c>{sessionId}.{key}</c>); neither contains one.
/// </summary>
public static class RtmpName
{
    public static string Of(string sessionId, string key) => sessionId + "." + key;

    public static bool TrySplit(string? name, out string sessionId, out string key)
    {
        var dot = name?.IndexOf('.') ?? -1;
        sessionId = dot > 0 ? name![..dot] : "";
        key = dot > 0 ? name![(dot + 1)..] : "";
        return dot > 0 && key.Length > 0 && !key.Contains('.');
    }

    /// <summary>The name without its secret, for logs.</summary>
    public static string Redacted(string? name) => TrySplit(name, out var sessionId, out _) ? sessionId + ".***" : "(not a session's key)";
}
