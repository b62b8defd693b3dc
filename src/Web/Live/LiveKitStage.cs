using Events.Silo.Store;
using Events.Silo.Streams;
using Events.Streaming;
using Events.Streaming.Blobs;
using Events.Streaming.Hls;
using Events.Streaming.LiveKit;
using Events.Streaming.Replays;

namespace Events.Web.Live;

/// <summary>
/// The stream grain's LiveKit server (<see cref="ILiveKitStage"/>) over LiveKit's Twirp API: one
/// room per session (<c>session-{id}</c>), an RTMP ingress into it for OBS, and a room-composite
/// recording (HLS segments for the replay player and an MP4) into the broadcast's folder of the
/// blob store's Azure container.
/// </summary>
public sealed class LiveKitStage(LiveKitOptions options, IHttpClientFactory http, IBlobStore blobs, Thumbnails thumbnails, TimeProvider time) : ILiveKitStage
{
    public const string PlaylistName = "index.m3u8";

    public static string RoomOf(string sessionId) => "session-" + sessionId;

    public bool Enabled => options.Enabled;

    public bool Records => options.Enabled && options.Egress.Configured;

    public LiveKitServer Server() =>
        new(http.CreateClient(nameof(LiveKitStage)), new Uri(options.Url!.TrimEnd('/') + "/"), options.ApiKey!, options.ApiSecret!, time);

    public async Task<LiveKitStageRecord> OpenAsync(string sessionId, CancellationToken cancellationToken)
    {
        var server = Server();
        var room = await server.CreateRoomAsync(RoomOf(sessionId), emptyTimeoutSeconds: 24 * 3600, options.DepartureTimeoutSeconds, metadata: null, cancellationToken);
        var ingress = await server.CreateRtmpIngressAsync("OBS " + sessionId, room.Name, "obs", "OBS", cancellationToken);
        return new LiveKitStageRecord(sessionId, room.Name, ingress.IngressId, ingress.Url, ingress.StreamKey, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    public async Task<string> StartRecordingAsync(string room, string folder, CancellationToken cancellationToken)
    {
        var egress = options.Egress;
        var started = await Server().StartRoomCompositeEgressAsync(room, folder, PlaylistName, segmentSeconds: 2,
            new LiveKitAzureUpload(egress.AccountName!, egress.AccountKey!, egress.Container!), cancellationToken);
        return started.EgressId;
    }

    public async Task StopRecordingAsync(string egressId, CancellationToken cancellationToken) =>
        await Server().StopEgressAsync(egressId, cancellationToken);

    public async Task<LiveKitRoomCheck> CheckAsync(string room, CancellationToken cancellationToken)
    {
        var server = Server();
        var rooms = await server.ListRoomsAsync([room], cancellationToken);
        var egresses = await server.ListEgressAsync(room, cancellationToken);
        var open = rooms.FirstOrDefault(r => r.Name == room);
        return new LiveKitRoomCheck(open is not null, open?.NumPublishers ?? 0, egresses.Select(Recording).ToArray());
    }

    public async Task ReplayPublishedAsync(string folder, string playlist)
    {
        await using var read = await blobs.OpenAsync(folder + "/" + playlist);
        if (read is null)
        {
            return;
        }
        using var bytes = new MemoryStream();
        await read.Content.CopyToAsync(bytes);
        var (parsed, _) = HlsPlaylist.Parse(bytes.ToArray());
        thumbnails.Start(folder, parsed?.Files.FirstOrDefault(f => f.EndsWith(".ts", StringComparison.Ordinal)) ?? parsed?.Files.FirstOrDefault());
    }

    public static LiveKitRecording Recording(LiveKitEgress e) => new(e.EgressId, e.Status, e.Playlist, e.Seconds);
}

/// <summary>
/// Compares open LiveKit broadcasts with the server every <see cref="LiveKitOptions.ReconcileEvery"/>
/// (webhooks are retried but not guaranteed): a room that closed, or a recording that finished,
/// while its webhook was lost is repaired by the next pass. Every node runs it; each broadcast's
/// grain takes one pass at a time, and what it does is the same whoever asks.
/// </summary>
public sealed class LiveKitReconciler(LiveKitOptions options, IStreamStore store, LiveGrains grains, TimeProvider time, ILogger<LiveKitReconciler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.ReconcileEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // Every stage: an open broadcast may have ended, and a stage with no broadcast may have gone live while its webhook was lost.
                foreach (var sessionId in await store.GetLiveKitStageSessionsAsync())
                {
                    await grains.Stream(sessionId).ReconcileAsync();
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The LiveKit reconciliation failed; the next pass tries again");
            }
        }
    }
}
