namespace Events.Web.Content;

/// <summary>
/// One piece of text in English and Chinese. Both are always set: when an item has no Chinese
/// translation the loader puts the English text in <see cref="Zh"/>, so pages never show a blank.
/// </summary>
public sealed record Localized(string En, string Zh)
{
    public string Get(bool chinese) => chinese ? Zh : En;
}
