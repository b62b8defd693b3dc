namespace Events.Web.Content;

/// <summary>
/// An event from <c>events/&lt;slug&gt;.md</c>. Once loaded, <see cref="Starts"/> is not after
/// <see cref="Ends"/>, both carry the offset written in the file, and <see cref="BodyHtml"/> is safe
/// to write into a page unencoded (see <see cref="SafeMarkdown"/>).
/// </summary>
/// <param name="Judging">How a contest is judged (its <c>criteria</c>), or null.</param>
/// <param name="Order">Breaks ties between events that start at the same moment; 0 when the file has no <c>order</c>.</param>
public sealed record EventItem(
    string Slug,
    EventKind Kind,
    Localized Title,
    Localized Summary,
    Localized Location,
    DateTimeOffset Starts,
    DateTimeOffset Ends,
    int Order,
    Localized BodyHtml,
    ContestJudging? Judging = null);
