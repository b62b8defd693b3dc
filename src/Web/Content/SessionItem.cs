namespace Events.Web.Content;

/// <summary>
/// A session from <c>sessions/&lt;slug&gt;.md</c>; its slug is the session id the live engine uses.
/// Once loaded, <see cref="EventSlug"/> and every entry of <see cref="Speakers"/> name items that exist,
/// <see cref="Starts"/> is not after <see cref="Ends"/>, <see cref="Stream"/> is null or an absolute
/// http(s) URL, and <see cref="BodyHtml"/> is safe to write into a page unencoded.
/// </summary>
/// <param name="Speakers">Speaker slugs in the order the file lists them; may be empty.</param>
/// <param name="Projects">The contest projects that pitch in this session, in running order (slugs of projects of the same event); empty when none. For a regional round: the projects that advanced from it.</param>
/// <param name="City">Where a contest's regional round is held; null for other sessions.</param>
public sealed record SessionItem(
    string Slug,
    string EventSlug,
    Localized Title,
    Localized Summary,
    DateTimeOffset Starts,
    DateTimeOffset Ends,
    IReadOnlyList<string> Speakers,
    string? Stream,
    Localized BodyHtml,
    LocalizedList Tags,
    IReadOnlyList<string>? Projects = null,
    Localized? City = null,
    string? Booth = null)
{
    /// <summary>The running order of the session's contest projects (never null).</summary>
    public IReadOnlyList<string> RunningOrder => Projects ?? [];

    /// <summary>Whether one of its tags is <paramref name="tag"/>, in either language, ignoring case.</summary>
    public bool HasTag(string tag) =>
        Tags.En.Concat(Tags.Zh).Any(t => string.Equals(t, tag, StringComparison.OrdinalIgnoreCase));
}
