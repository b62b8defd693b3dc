namespace Events.Web.Content;

/// <summary>
/// An exhibiting company from <c>companies/&lt;slug&gt;.md</c>: its booth at a job fair. Once loaded,
/// <see cref="EventSlug"/> names an event that exists, <see cref="Website"/> is an absolute https
/// URL, every position has an id unique within the company, and <see cref="BodyHtml"/> is safe to
/// write into a page unencoded.
/// </summary>
public sealed record CompanyItem(
    string Slug,
    string EventSlug,
    Localized Name,
    Localized Industry,
    Localized City,
    IReadOnlyList<PositionItem> Positions,
    string Website,
    Localized BodyHtml);

/// <summary>The least degree a position asks for; a person with a higher one qualifies too.</summary>
public enum Degree
{
    Any,
    Bachelor,
    Master,
    Doctorate,
}

/// <summary>
/// One open position of a company. The salary is a monthly range in <see cref="Currency"/> (both
/// ends or neither); the deadline is the last day applications are taken, in the fair's time zone.
/// </summary>
public sealed record PositionItem(
    string Id,
    Localized Title,
    Localized City,
    Degree Degree,
    LocalizedList Majors,
    int? SalaryMin,
    int? SalaryMax,
    string Currency,
    DateOnly? Deadline,
    Localized Requirements);
