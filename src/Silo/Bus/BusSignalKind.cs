namespace Events.Silo.Bus;

public enum BusSignalKind
{
    /// <summary>Chat messages were committed; Value is the newest id.</summary>
    ChatAppended,
    /// <summary>A message was deleted; Value is its id.</summary>
    ChatDeleted,
    /// <summary>Status, slow mode, pin or sanctions changed.</summary>
    SettingsChanged,
    /// <summary>A round was opened or closed, or its tally moved.</summary>
    RoundsChanged,
    /// <summary>Votes were committed in a round, or it closed; RoundId names it.</summary>
    TallyChanged,
    /// <summary>Reaction totals moved.</summary>
    ReactionsChanged,
    /// <summary>This node's viewer count for the session; Value is the count.</summary>
    Presence,
    /// <summary>Local only: the bus was cut off and may have lost signals; every active session re-reads the store.</summary>
    Resync,
}
