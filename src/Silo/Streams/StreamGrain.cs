using System.Security.Cryptography;
using System.Text;
using Events.Silo.Live;
using Events.Silo.Store;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Events.Silo.Streams;

/// <summary>
/// A session's video (see <see cref="IStreamGrain"/>). The key and the broadcasts are rows in the
/// store; the stream's health (last segment, bytes) is hot state, rebuilt as the next files arrive.
/// Every change viewers see goes to the session's grain, which sends it with its next update.
/// </summary>
public sealed class StreamGrain(IStreamStore store, IRoundStore rounds, IChatStore chat, ILiveKitStage liveKit, LiveOptions options, EventClock clock, ILogger<StreamGrain> logger) : Grain, IStreamGrain
{
    private string key = "";
    private string? streamKey;
    private BroadcastRecord? current;
    private string? proposed;
    private long bytes;
    private long lastSegmentAt;
    private string state = "waiting";
    private StreamView? latest;
    private bool delivered = true;
    private IDisposable? watchdog;
    private LiveKitStageRecord? stage;

    /// <summary>The LiveKit room carrying <see cref="current"/>, null for a push to the HLS origin.</summary>
    private string? liveKitRoom;
    private string? egressId;

    /// <summary>When the last LiveKit broadcast's live part ended (by LiveKit's clock): older start events are late copies.</summary>
    private long liveKitEndedAt;

    /// <summary>The most chat messages a replay carries.</summary>
    public const int MaxReplayChat = 20_000;

    private static readonly TimeSpan TimelineKept = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, (ReplayTimeline Timeline, long BuiltAt)> timelines = new(StringComparer.Ordinal);

    /// <summary>The events' clock, as chat and rounds use: a replay's timeline lines them up with the broadcast.</summary>
    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        key = this.GetPrimaryKeyString();
        streamKey = await store.GetStreamKeyAsync(key);
        var broadcasts = await store.GetBroadcastsAsync(key);
        var latest = broadcasts.LastOrDefault();
        current = latest is { EndedAt: null } ? latest : null;
        state = StreamPaths.ViewOf(broadcasts).State;
        stage = await store.GetLiveKitStageAsync(key);
        if (current is not null && (await store.GetOpenLiveKitBroadcastsAsync(key)).FirstOrDefault(b => b.BroadcastId == current.BroadcastId) is { } open)
        {
            // LiveKit's side is checked by the next reconciliation; until then it shows as live.
            liveKitRoom = open.Room;
            egressId = open.EgressId;
            state = "live";
        }
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, options.StreamInterruptedAfter.Ticks / 4));
        watchdog = this.RegisterGrainTimer(WatchAsync, new GrainTimerCreationOptions(every, every) { Interleave = false });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        watchdog?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<Outcome<StreamKeyView>> GetKeyAsync(Caller organizer)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        if (streamKey is null)
        {
            return await RegenerateKeyAsync(organizer);
        }
        return new StreamKeyView(key, streamKey);
    }

    public async Task<Outcome<StreamKeyView>> RegenerateKeyAsync(Caller organizer)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        // 24 random bytes, URL-safe: the key goes into the ingest URL's path.
        var fresh = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        try
        {
            await store.SetStreamKeyAsync(key, fresh, NowMs);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Storing the stream key of session {Session} failed", key);
            return LiveError.TryAgain();
        }
        streamKey = fresh;
        logger.LogInformation("Session {Session}: {Who} set a new stream key", key, organizer.UserId);
        return new StreamKeyView(key, fresh);
    }

    public async Task<Outcome<IngestTicket>> AdmitAsync(string candidate, bool mayStart)
    {
        if (streamKey is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes(streamKey)))
        {
            return LiveError.WrongStreamKey();
        }
        if (current is null && !mayStart)
        {
            return LiveError.NotStreaming();
        }
        if (current is null)
        {
            // A broadcast starts when its first segment is stored: a refused file starts nothing.
            // Ids sort by start; every file admitted before that segment lands gets the same id.
            proposed ??= "b" + NowMs;
            return new IngestTicket(key, proposed);
        }
        return new IngestTicket(key, current.BroadcastId);
    }

    public async Task SegmentStoredAsync(string broadcastId, long size)
    {
        await StartProposedAsync(broadcastId);
        if (current?.BroadcastId == broadcastId)
        {
            bytes += size;
            lastSegmentAt = NowMs;
        }
    }

    /// <summary>Starts the proposed broadcast, once: its first segment is stored (told by that segment, or by a playlist naming it that was quicker).</summary>
    private async Task StartProposedAsync(string broadcastId)
    {
        if (current is null && broadcastId == proposed)
        {
            await store.StartBroadcastAsync(key, broadcastId, NowMs);
            current = new BroadcastRecord(key, broadcastId, null, 0, NowMs, null);
            proposed = null;
            bytes = 0;
            logger.LogInformation("Session {Session}: broadcast {Broadcast} started", key, broadcastId);
        }
    }

    public async Task PlaylistPublishedAsync(string broadcastId, string playlist, double seconds, bool ended)
    {
        // The origin publishes a playlist only once its segments are stored, so a playlist can tell
        // of a broadcast's start before its first segment's own call does (a cold grain, a fast push).
        await StartProposedAsync(broadcastId);
        if (current?.BroadcastId != broadcastId)
        {
            return;
        }
        current = current with { Playlist = playlist, Seconds = seconds };
        lastSegmentAt = NowMs;
        try
        {
            await store.UpdateBroadcastAsync(key, broadcastId, playlist, seconds, ended, NowMs);
        }
        catch (Exception e)
        {
            // The next playlist writes it again; an ended one is retried by the encoder's next push
            // only if it makes one, so an end is logged loudly.
            logger.Log(ended ? LogLevel.Error : LogLevel.Warning, e, "Recording playlist {Playlist} of session {Session} failed", playlist, key);
        }
        state = ended ? "ended" : "live";
        var view = View();
        if (ended)
        {
            current = null;
            logger.LogInformation("Session {Session}: broadcast {Broadcast} ended; its replay is {Seconds:F0} s", key, broadcastId, seconds);
        }
        await SendAsync(view);
    }

    public async Task<Outcome<MarkerView>> AddMarkerAsync(Caller organizer, string title, string clientMarkerId)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        MarkerRecord stored;
        try
        {
            stored = await store.AddMarkerAsync(key, title, clientMarkerId, NowMs);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Storing a marker of session {Session} failed", key);
            return LiveError.TryAgain();
        }
        // A replay already built shows it (a marker set just after the end still falls in its last minute).
        timelines.Clear();
        return new MarkerView(stored.Title, stored.AtMs);
    }

    public async Task<Outcome<IReadOnlyList<ReplayAdminView>>> ListReplaysAsync(Caller organizer)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        return Outcome<IReadOnlyList<ReplayAdminView>>.Ok(await ReplaysAsync());
    }

    private async Task<IReadOnlyList<ReplayAdminView>> ReplaysAsync()
    {
        var edits = (await store.GetReplayEditsAsync(key)).ToDictionary(e => e.BroadcastId, StringComparer.Ordinal);
        return (await store.GetBroadcastsAsync(key))
            .Where(b => b is { EndedAt: not null, Playlist: not null })
            .Select(b => edits.TryGetValue(b.BroadcastId, out var e)
                ? new ReplayAdminView(b.BroadcastId, b.StartedAt, b.EndedAt!.Value, StreamPaths.Url(key, b.BroadcastId, b.Playlist!), b.Seconds, e.OriginalSeconds, e.TrimStart, e.TrimEnd, e.Hidden, e.OriginalPlaylist)
                : new ReplayAdminView(b.BroadcastId, b.StartedAt, b.EndedAt!.Value, StreamPaths.Url(key, b.BroadcastId, b.Playlist!), b.Seconds, b.Seconds, 0, null, false, b.Playlist!))
            .ToArray();
    }

    public async Task<Outcome<ReplayAdminView>> EditReplayAsync(Caller organizer, string broadcastId, ReplayCut cut)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        var replay = (await ReplaysAsync()).FirstOrDefault(r => r.BroadcastId == broadcastId);
        if (replay is null)
        {
            return LiveError.UnknownReplay(broadcastId);
        }
        var edit = new ReplayEditRecord(key, broadcastId, replay.OriginalPlaylist, replay.OriginalSeconds, cut.OffsetSeconds, cut.TrimStart, cut.TrimEnd, cut.Hidden, NowMs);
        try
        {
            await store.SetReplayEditAsync(edit, cut.Playlist, cut.Seconds);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Storing the edit of replay {Broadcast} of session {Session} failed", broadcastId, key);
            return LiveError.TryAgain();
        }
        timelines.Remove(broadcastId);
        logger.LogInformation("Session {Session}: {Who} edited replay {Broadcast}: {From}-{To} s, hidden {Hidden}", key, organizer.UserId, broadcastId, cut.TrimStart, cut.TrimEnd, cut.Hidden);
        var broadcasts = await store.GetBroadcastsAsync(key);
        if (current is null && broadcasts.LastOrDefault(b => b.Playlist is not null)?.BroadcastId == broadcastId)
        {
            // The session shows this replay: its viewers see the edit with the next update.
            await SendAsync(StreamPaths.ViewOf(broadcasts));
        }
        return (await ReplaysAsync()).First(r => r.BroadcastId == broadcastId);
    }

    public async Task<Outcome<string>> BeginUploadAsync(Caller organizer, string? replaces)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        if (replaces is not null)
        {
            return (await ReplaysAsync()).Any(r => r.BroadcastId == replaces) ? replaces : LiveError.UnknownReplay(replaces);
        }
        if (current is not null || proposed is not null)
        {
            return LiveError.AlreadyLive();
        }
        return "b" + NowMs;
    }

    public async Task<Outcome<ReplayAdminView>> PublishUploadAsync(Caller organizer, string broadcastId, bool replaces, string playlist, double seconds)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        try
        {
            if (replaces)
            {
                if ((await ReplaysAsync()).All(r => r.BroadcastId != broadcastId))
                {
                    return LiveError.UnknownReplay(broadcastId);
                }
                await store.SetReplayEditAsync(new ReplayEditRecord(key, broadcastId, playlist, seconds, 0, 0, null, false, NowMs), playlist, seconds, newOriginal: true);
            }
            else
            {
                if (current is not null)
                {
                    return LiveError.AlreadyLive();
                }
                await store.StartBroadcastAsync(key, broadcastId, NowMs);
                await store.UpdateBroadcastAsync(key, broadcastId, playlist, seconds, ended: true, NowMs);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Publishing the upload {Playlist} of session {Session} failed", playlist, key);
            return LiveError.TryAgain();
        }
        timelines.Remove(broadcastId);
        logger.LogInformation("Session {Session}: {Who} published an uploaded recording as replay {Broadcast} ({Seconds:F0} s{Replaces})", key, organizer.UserId, broadcastId, seconds, replaces ? ", replacing the recording" : "");
        var broadcasts = await store.GetBroadcastsAsync(key);
        if (current is null && broadcasts.LastOrDefault(b => b.Playlist is not null)?.BroadcastId == broadcastId)
        {
            state = "ended";
            await SendAsync(StreamPaths.ViewOf(broadcasts));
        }
        return (await ReplaysAsync()).First(r => r.BroadcastId == broadcastId);
    }

    public async Task<ReplayTimeline?> GetTimelineAsync(string broadcastId)
    {
        if (timelines.TryGetValue(broadcastId, out var kept) && Environment.TickCount64 - kept.BuiltAt < TimelineKept.TotalMilliseconds)
        {
            return kept.Timeline;
        }
        var broadcast = (await store.GetBroadcastsAsync(key)).FirstOrDefault(b => b.BroadcastId == broadcastId);
        if (broadcast is not { EndedAt: { } endedAt, Playlist: { } playlist, Hidden: false })
        {
            return null;
        }
        var edit = (await store.GetReplayEditsAsync(key)).FirstOrDefault(e => e.BroadcastId == broadcastId);
        var offset = edit?.OffsetSeconds ?? 0;
        var videoStart = broadcast.StartedAt - 60_000;
        double At(long ms) => (ms - broadcast.StartedAt) / 1000.0 - offset;
        var chapters = new List<ChapterView> { new(0, "start", "", null) };
        foreach (var round in await rounds.GetRoundsAsync(key))
        {
            if (round.OpenedAtMs >= videoStart && round.OpenedAtMs <= endedAt)
            {
                chapters.Add(new ChapterView(At(round.OpenedAtMs), "round_opened", round.Question, round.RoundId));
            }
            if (round.ClosedAtMs is { } closedAt && closedAt >= videoStart && closedAt <= endedAt)
            {
                chapters.Add(new ChapterView(At(closedAt), "round_closed", round.Question, round.RoundId));
            }
        }
        foreach (var marker in await store.GetMarkersAsync(key))
        {
            if (marker.AtMs >= videoStart && marker.AtMs <= endedAt)
            {
                chapters.Add(new ChapterView(At(marker.AtMs), "marker", marker.Title, null));
            }
        }
        var messages = await chat.GetChatBetweenAsync(key, videoStart, endedAt, MaxReplayChat);
        var timeline = new ReplayTimeline(key, broadcastId, playlist, broadcast.Seconds,
            chapters.OrderBy(c => c.At).ToArray(),
            messages.Select(m => new ReplayChatView(m.Id, At(m.SentAtMs), m.AuthorName, m.Text, m.Badge)).ToArray(),
            edit?.OriginalPlaylist ?? playlist, offset);
        timelines[broadcastId] = (timeline, Environment.TickCount64);
        return timeline;
    }

    private StreamView View()
    {
        var b = current!;
        var kbps = b.Seconds > 0 ? (long)(bytes * 8 / b.Seconds / 1000) : 0;
        return new StreamView(state, b.Playlist is null ? null : StreamPaths.Url(key, b.BroadcastId, b.Playlist), b.Seconds, kbps, lastSegmentAt == 0 ? null : lastSegmentAt,
            liveKitRoom is not null && state is "live" or "ended" ? liveKitRoom : null);
    }

    // ---- LiveKit ------------------------------------------------------------------------------

    public async Task<Outcome<LiveKitStageView>> OpenStageAsync(Caller organizer)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        if (!liveKit.Enabled)
        {
            return LiveError.NoLiveKit();
        }
        if (stage is null)
        {
            LiveKitStageRecord opened;
            try
            {
                opened = await liveKit.OpenAsync(key, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Opening the LiveKit stage of session {Session} failed", key);
                return LiveError.LiveKitUnreachable();
            }
            try
            {
                await store.SetLiveKitStageAsync(opened);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Storing the LiveKit stage of session {Session} failed", key);
                return LiveError.TryAgain();
            }
            stage = opened;
            logger.LogInformation("Session {Session}: {Who} opened LiveKit room {Room}", key, organizer.UserId, opened.Room);
        }
        return StageView(stage);
    }

    public Task<Outcome<LiveKitStageView?>> GetStageAsync(Caller organizer) =>
        Task.FromResult<Outcome<LiveKitStageView?>>(organizer.CanOrganize
            ? (stage is null || !liveKit.Enabled ? null : StageView(stage))
            : LiveError.Forbidden("organizer"));

    public Task<string?> GetRoomAsync() => Task.FromResult(liveKit.Enabled ? stage?.Room : null);

    public async Task LiveKitEventAsync(LiveKitSignal signal)
    {
        if (stage is null)
        {
            logger.LogInformation("Session {Session}: LiveKit event {Event} for a room it has no stage for; ignored", key, signal.Event);
            return;
        }
        switch (signal.Event)
        {
            case "track_published" or "ingress_started":
                if (signal.CreatedAtMs > liveKitEndedAt)
                {
                    await LiveKitStartedAsync();
                }
                break;
            case "room_finished":
                liveKitEndedAt = Math.Max(liveKitEndedAt, signal.CreatedAtMs);
                await LiveKitFinishedAsync();
                break;
            case "egress_started" or "egress_updated" or "egress_ended" when signal.Recording is { } recording:
                await RecordingChangedAsync(recording, signal.CreatedAtMs);
                break;
        }
    }

    public async Task ReconcileAsync()
    {
        if (stage is not null && current is null && proposed is null)
        {
            // A stage someone publishes in, with no broadcast here: its start webhook was lost.
            LiveKitRoomCheck idle;
            try
            {
                idle = await liveKit.CheckAsync(stage.Room, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Session {Session}: checking LiveKit room {Room} failed", key, stage.Room);
                return;
            }
            if (idle is { Open: true, Publishers: > 0 } && idle.Recordings.All(r => r.Over))
            {
                logger.LogInformation("Session {Session}: the reconciliation found room {Room} live with no broadcast; starting it", key, stage.Room);
                await LiveKitStartedAsync();
            }
            return;
        }
        if (liveKitRoom is null || current is null)
        {
            return;
        }
        LiveKitRoomCheck check;
        try
        {
            check = await liveKit.CheckAsync(liveKitRoom, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Session {Session}: checking LiveKit room {Room} failed; the next reconciliation tries again", key, liveKitRoom);
            return;
        }
        var recording = check.Recordings.FirstOrDefault(r => r.EgressId == egressId);
        if (recording is not null && recording.Over)
        {
            logger.LogInformation("Session {Session}: the reconciliation found recording {Egress} over ({Status})", key, recording.EgressId, recording.Status);
            await RecordingChangedAsync(recording, NowMs);
            return;
        }
        if (!check.Open && state == "live")
        {
            logger.LogInformation("Session {Session}: the reconciliation found room {Room} closed", key, liveKitRoom);
            await LiveKitFinishedAsync();
        }
        else if (check.Open && state == "live" && egressId is null && liveKit.Records)
        {
            await StartRecordingAsync();
        }
    }

    private LiveKitStageView StageView(LiveKitStageRecord s) => new(key, s.Room, s.IngressUrl, s.IngressKey, liveKit.Records);

    /// <summary>Someone publishes in the room: the broadcast starts (once) and its recording with it.</summary>
    private async Task LiveKitStartedAsync()
    {
        if (current is not null)
        {
            return;
        }
        var broadcastId = "b" + NowMs;
        await store.StartBroadcastAsync(key, broadcastId, NowMs);
        await store.SetLiveKitBroadcastAsync(key, broadcastId, stage!.Room, null);
        current = new BroadcastRecord(key, broadcastId, null, 0, NowMs, null);
        liveKitRoom = stage.Room;
        egressId = null;
        bytes = 0;
        lastSegmentAt = 0;
        state = "live";
        logger.LogInformation("Session {Session}: LiveKit broadcast {Broadcast} started in room {Room}", key, broadcastId, liveKitRoom);
        await SendAsync(View());
        if (liveKit.Records)
        {
            await StartRecordingAsync();
        }
    }

    private async Task StartRecordingAsync()
    {
        try
        {
            egressId = await liveKit.StartRecordingAsync(liveKitRoom!, StreamPaths.Folder(key, current!.BroadcastId), CancellationToken.None);
            await store.SetLiveKitBroadcastAsync(key, current.BroadcastId, liveKitRoom!, egressId);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Session {Session}: starting the recording of room {Room} failed; the reconciliation tries again", key, liveKitRoom);
        }
    }

    /// <summary>The room closed: viewers see the end; the replay follows when the recording is written.</summary>
    private async Task LiveKitFinishedAsync()
    {
        if (current is null || liveKitRoom is null || state == "ended")
        {
            return;
        }
        state = "ended";
        await SendAsync(View());
        if (egressId is null)
        {
            await EndWithoutReplayAsync("it was not recorded");
            return;
        }
        try
        {
            await liveKit.StopRecordingAsync(egressId, CancellationToken.None);
        }
        catch (Exception e)
        {
            // LiveKit ends a room's recording itself when the room closes; the stop only hurries it.
            logger.LogDebug(e, "Session {Session}: stopping recording {Egress} failed", key, egressId);
        }
    }

    private async Task RecordingChangedAsync(LiveKitRecording recording, long atMs)
    {
        if (current is null || liveKitRoom is null)
        {
            return;
        }
        if (egressId is null && !recording.Over)
        {
            // egress_started before our own start call returned, or after a lost answer.
            egressId = recording.EgressId;
            await store.SetLiveKitBroadcastAsync(key, current.BroadcastId, liveKitRoom, egressId);
            return;
        }
        if (recording.EgressId != egressId || !recording.Over)
        {
            return;
        }
        liveKitEndedAt = Math.Max(liveKitEndedAt, atMs);
        var folder = StreamPaths.Folder(key, current.BroadcastId) + "/";
        if (recording.Status != "EGRESS_COMPLETE" || recording.Playlist is not { } path || !path.StartsWith(folder, StringComparison.Ordinal))
        {
            await EndWithoutReplayAsync($"its recording ended {recording.Status} with {recording.Playlist ?? "no playlist"}");
            return;
        }
        var broadcastId = current.BroadcastId;
        current = current with { Playlist = path[folder.Length..], Seconds = recording.Seconds };
        try
        {
            await store.UpdateBroadcastAsync(key, broadcastId, current.Playlist, recording.Seconds, ended: true, NowMs);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Recording the replay of LiveKit broadcast {Broadcast} of session {Session} failed; the reconciliation tries again", broadcastId, key);
            return;
        }
        state = "ended";
        liveKitRoom = null;
        var view = View();
        current = null;
        egressId = null;
        logger.LogInformation("Session {Session}: LiveKit broadcast {Broadcast} ended; its replay is {Seconds:F0} s", key, broadcastId, recording.Seconds);
        await SendAsync(view);
        try
        {
            await liveKit.ReplayPublishedAsync(folder.TrimEnd('/'), path[folder.Length..]);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Session {Session}: making the picture of replay {Broadcast} failed", key, broadcastId);
        }
    }

    private async Task EndWithoutReplayAsync(string why)
    {
        var broadcastId = current!.BroadcastId;
        try
        {
            await store.EndBroadcastAsync(key, broadcastId, NowMs);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Ending LiveKit broadcast {Broadcast} of session {Session} failed; the reconciliation tries again", broadcastId, key);
            return;
        }
        logger.LogWarning("Session {Session}: LiveKit broadcast {Broadcast} ended with no replay: {Why}", key, broadcastId, why);
        state = "ended";
        liveKitRoom = null;
        current = null;
        egressId = null;
        await SendAsync(StreamView.Waiting with { State = "ended" });
    }

    /// <summary>Marks a live stream that stopped sending as interrupted, and sends again what the session's grain did not take.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (state == "live" && current is not null && liveKitRoom is null && NowMs - lastSegmentAt > options.StreamInterruptedAfter.TotalMilliseconds)
        {
            state = "interrupted";
            logger.LogWarning("Session {Session}: no segment for {Seconds} s, the stream shows as interrupted", key, options.StreamInterruptedAfter.TotalSeconds);
            await SendAsync(View());
        }
        else if (!delivered && latest is not null)
        {
            await SendAsync(latest);
        }
    }

    private async Task SendAsync(StreamView view)
    {
        latest = view;
        try
        {
            await GrainFactory.GetGrain<ILiveSessionGrain>(key).StreamChangedAsync(view);
            delivered = true;
        }
        catch (Exception e)
        {
            delivered = false;
            logger.LogDebug(e, "Telling session {Session} of its stream failed; the watchdog tries again", key);
        }
    }
}
