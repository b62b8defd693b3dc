using Orleans;

namespace Events.Silo.Streams;

/// <summary>
/// The video of one session, one activation in the cluster: its secret ingest key and its
/// broadcasts (a push from its first file to its end). Guarantees: a file is admitted only with the
/// session's current key (compared in constant time; a regenerated key stops the old one at once);
/// every file of one push, on whichever node it lands, belongs to the same broadcast until the
/// playlist ends; the session's viewers see the stream's state change with the next update.
/// </summary>
public interface IStreamGrain : IGrainWithStringKey
{
    /// <summary>The ingest key, made at the first ask. Organizers.</summary>
    Task<Outcome<StreamKeyView>> GetKeyAsync(Caller organizer);

    /// <summary>A new key; the old one is refused from now on. Organizers.</summary>
    Task<Outcome<StreamKeyView>> RegenerateKeyAsync(Caller organizer);

    /// <summary>Checks an encoder's key and names the broadcast its files go to (a new one after the last ended).</summary>
    Task<Outcome<IngestTicket>> AdmitAsync(string streamKey);

    /// <summary>A segment of the broadcast was written.</summary>
    Task SegmentStoredAsync(string broadcastId, long bytes);

    /// <summary>A playlist of the broadcast became visible to viewers; <paramref name="ended"/> when it is complete (the replay).</summary>
    Task PlaylistPublishedAsync(string broadcastId, string playlist, double seconds, bool ended);
}

[GenerateSerializer, Immutable]
public sealed record StreamKeyView(string SessionId, string Key);

/// <summary>Where an admitted file goes: the broadcast's folder in the blob store.</summary>
[GenerateSerializer, Immutable]
public sealed record IngestTicket(string SessionId, string BroadcastId)
{
    public string Folder => StreamPaths.Folder(SessionId, BroadcastId);
}
