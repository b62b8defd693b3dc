namespace Events.Web.Content;

/// <summary>
/// A contest project from <c>projects/&lt;slug&gt;.md</c>. Once loaded, <see cref="EventSlug"/> names
/// an event that exists, <see cref="Award"/> is one of <c>gold</c>, <c>silver</c>, <c>bronze</c>,
/// <c>excellence</c>, and <see cref="BodyHtml"/> is safe to write into a page unencoded.
/// <see cref="School"/> is the team's school or college (null when not given); <see cref="Video"/>
/// an https link to the team's pitch video, or null. <see cref="Investors"/>: who invested in it, as recorded after the contest (empty when none); <see cref="Prizes"/>: the prizes it won in the final (Grand Prize, a track prize, the Audience Choice Award), recorded after it. <see cref="Image"/>: the site path of its picture (<c>/content/images/x.png</c>, a file of the content's <c>images/</c> folder), or null.
/// </summary>
public sealed record ProjectItem(
    string Slug,
    string EventSlug,
    Localized Title,
    Localized Team,
    Localized Region,
    string Award,
    Localized Track,
    Localized BodyHtml,
    Localized? School = null,
    string? Video = null,
    LocalizedList? Investors = null,
    LocalizedList? Prizes = null,
    string? Image = null);
