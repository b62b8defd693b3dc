namespace Events.Web.Fair;

/// <summary>
/// Each booth of a job fair is a session of the live engine, <c>booth-{company}</c>, open for the
/// fair's time: its visitors are the session's viewers (counted across nodes like any session) and
/// its chat is the session's chat, moderated by the company's representatives as well as the
/// platform's moderators. Content sessions may not take a slug starting with <c>booth-</c>.
/// </summary>
public static class BoothSessions
{
    public const string Prefix = Events.Silo.Fair.BoothQueueGrain.BoothPrefix;

    public static string Of(string company) => Prefix + company;

    /// <summary>The company whose booth the session is, or null when it is not a booth's.</summary>
    public static string? CompanyOf(string sessionId) =>
        sessionId.StartsWith(Prefix, StringComparison.Ordinal) && sessionId.Length > Prefix.Length ? sessionId[Prefix.Length..] : null;
}
