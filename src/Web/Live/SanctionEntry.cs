namespace Events.Web.Live;

/// <summary>A mute or ban in force as ListSanctions returns it: who, their display name, "mute" or "ban", until when (null: until lifted), and by whom.</summary>
public sealed record SanctionEntry(string UserId, string DisplayName, string Kind, long? Until, string SetBy);
