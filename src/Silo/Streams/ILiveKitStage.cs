using Events.Silo.Store;

namespace Events.Silo.Streams;

/// <summary>
/// What the stream grain asks of a LiveKit server (the host implements it over LiveKit's Twirp API;
/// <see cref="NoLiveKit"/> when none is configured). Calls may throw when LiveKit cannot be
/// reached: the grain reports it and the reconciliation tries again.
/// </summary>
public interface ILiveKitStage
{
    bool Enabled { get; }

    /// <summary>Whether a room's recording (egress) has somewhere to upload to.</summary>
    bool Records { get; }

    /// <summary>Creates the session's room and an RTMP ingress into it for OBS.</summary>
    Task<LiveKitStageRecord> OpenAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Starts recording the room as HLS segments (and an MP4) into the blob store folder; the egress id.</summary>
    Task<string> StartRecordingAsync(string room, string folder, CancellationToken cancellationToken);

    Task StopRecordingAsync(string egressId, CancellationToken cancellationToken);

    /// <summary>The room as LiveKit has it now: open or not, how many publish, and its recordings.</summary>
    Task<LiveKitRoomCheck> CheckAsync(string room, CancellationToken cancellationToken);

    /// <summary>A recording became a replay (its playlist in the folder): the host makes its picture for the library.</summary>
    Task ReplayPublishedAsync(string folder, string playlist);
}

/// <summary>A room's state for the reconciliation.</summary>
[GenerateSerializer, Immutable]
public sealed record LiveKitRoomCheck(bool Open, int Publishers, IReadOnlyList<LiveKitRecording> Recordings);

/// <summary>
/// A recording (egress) of a room: <see cref="Status"/> is LiveKit's (EGRESS_ACTIVE, EGRESS_COMPLETE,
/// EGRESS_FAILED...), <see cref="Playlist"/> the HLS playlist's path in the bucket once written.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LiveKitRecording(string EgressId, string Status, string? Playlist, double Seconds)
{
    public bool Over => Status is not ("EGRESS_STARTING" or "EGRESS_ACTIVE" or "EGRESS_ENDING");
}

/// <summary>
/// A verified, first-seen LiveKit webhook for the session's room, as the grain needs it:
/// <see cref="Event"/> (track_published, ingress_started, room_finished, egress_started,
/// egress_updated, egress_ended...), when LiveKit made it, and the recording it carries.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LiveKitSignal(string Event, long CreatedAtMs, LiveKitRecording? Recording);

/// <summary>No LiveKit server configured: the stage cannot be opened.</summary>
public sealed class NoLiveKit : ILiveKitStage
{
    public bool Enabled => false;

    public bool Records => false;

    public Task<LiveKitStageRecord> OpenAsync(string sessionId, CancellationToken cancellationToken) => throw new InvalidOperationException("LiveKit is not configured.");

    public Task<string> StartRecordingAsync(string room, string folder, CancellationToken cancellationToken) => throw new InvalidOperationException("LiveKit is not configured.");

    public Task StopRecordingAsync(string egressId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<LiveKitRoomCheck> CheckAsync(string room, CancellationToken cancellationToken) => Task.FromResult(new LiveKitRoomCheck(false, 0, []));

    public Task ReplayPublishedAsync(string folder, string playlist) => Task.CompletedTask;
}
