namespace Events.Web.Content;

/// <summary>
/// An exhibiting company from <c>companies/&lt;slug&gt;.md</c>. Once loaded, <see cref="EventSlug"/>
/// names an event that exists, <see cref="Website"/> is an absolute https URL, and
/// <see cref="BodyHtml"/> is safe to write into a page unencoded.
/// </summary>
public sealed record CompanyItem(
    string Slug,
    string EventSlug,
    Localized Name,
    Localized Industry,
    Localized City,
    LocalizedList Positions,
    string Website,
    Localized BodyHtml);
