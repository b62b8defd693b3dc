namespace Events.Web.Content;

/// <summary>
/// A speaker from <c>speakers/&lt;slug&gt;.md</c>. <see cref="BioHtml"/> is the file's body, safe to
/// write into a page unencoded.
/// </summary>
/// <param name="ClassOf">The graduation year.</param>
public sealed record SpeakerItem(
    string Slug,
    Localized Name,
    Localized Role,
    Localized Affiliation,
    int ClassOf,
    Localized Degree,
    Localized BioHtml);
