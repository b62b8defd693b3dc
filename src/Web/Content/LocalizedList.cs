namespace Events.Web.Content;

/// <summary>
/// A list of short texts in English and Chinese. Both lists are always set; the Chinese list is the
/// English one when the item has no Chinese translation of it. The two lists may differ in length,
/// because a translator may merge or split entries.
/// </summary>
public sealed record LocalizedList(IReadOnlyList<string> En, IReadOnlyList<string> Zh)
{
    public IReadOnlyList<string> Get(bool chinese) => chinese ? Zh : En;
}
