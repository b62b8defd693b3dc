namespace Events.Web.Content;

/// <summary>What sort of event an item is; written in front matter as <c>forum</c>, <c>jobfair</c> or <c>contest</c>.</summary>
public enum EventKind
{
    Forum,
    JobFair,
    Contest,
}
