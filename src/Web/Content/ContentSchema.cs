namespace Events.Web.Content;

/// <summary>
/// The keys one content folder allows, and which of them a <c>.zh.md</c> may translate. Whether a key is
/// required and what type it has is decided where the item is built (<see cref="ContentLoader"/>).
/// </summary>
internal sealed class ContentSchema(string folder, string[] localizable, string[] invariant)
{
    public static readonly ContentSchema Events = new("events", ["title", "summary", "location", "criteria"], ["kind", "starts", "ends", "order", "criteria_weights", "max_score", "audience_weight", "final", "reveal_places"]);
    public static readonly ContentSchema Sessions = new("sessions", ["title", "summary", "tags", "city"], ["event", "starts", "ends", "speakers", "stream", "projects", "booth"]);
    public static readonly ContentSchema Speakers = new("speakers", ["name", "role", "affiliation", "degree"], ["class_of"]);
    public static readonly ContentSchema Companies = new("companies", ["name", "industry", "city", "positions"], ["event", "website"]);
    public static readonly ContentSchema Projects = new("projects", ["title", "team", "region", "track", "school", "investors", "prizes"], ["event", "award", "video", "image"]);

    public string Folder { get; } = folder;

    /// <summary>Reports keys the folder does not know, and in a Chinese file keys that are not translatable.</summary>
    public bool CheckKeys(ContentFile file, bool chinese, List<string> problems)
    {
        var ok = true;
        foreach (var key in file.Fields.Keys)
        {
            if (localizable.Contains(key, StringComparer.Ordinal))
            {
                continue;
            }

            if (!invariant.Contains(key, StringComparer.Ordinal))
            {
                problems.Add($"{file.DisplayPath}: unknown key '{key}'");
                ok = false;
            }
            else if (chinese)
            {
                problems.Add($"{file.DisplayPath}: .zh.md has key '{key}' which is not localizable (a .zh.md may only hold {string.Join(", ", localizable)})");
                ok = false;
            }
        }

        return ok;
    }
}
