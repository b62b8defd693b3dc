using Events.Streaming.Blobs;
using Events.Streaming.Replays;
using Microsoft.Extensions.Logging;

namespace Events.Streaming.Hls;

/// <summary>
/// The platform's own HLS origin: takes what an encoder pushes (segments, then the playlist that
/// names them), checks each file is what its name says, writes it atomically to the blob store, and
/// publishes a playlist only once every file it names exists: a playlist that arrives first (ffmpeg
/// without <c>-http_persistent</c> sends each file on its own connection) is held and published
/// when its last segment lands. Playlists only grow: one naming fewer files than the last
/// published (an older PUT finishing late) is dropped. One folder per broadcast; when its playlist
/// ends, the replay's picture is made (<see cref="Thumbnails"/>).
/// </summary>
public sealed class HlsOrigin(IBlobStore blobs, StreamingOptions options, Thumbnails thumbnails, ILogger<HlsOrigin> logger)
{
    private readonly Dictionary<string, Folder> folders = new(StringComparer.Ordinal);

    public async Task<IngestResult> ReceiveAsync(string folder, string file, Stream body, CancellationToken cancellationToken)
    {
        if (!HlsFiles.IsValidName(file))
        {
            return IngestResult.Refused(400, "invalid_file", $"'{file}' is not a playlist (.m3u8) or a segment (.ts, .m4s, .mp4) name of letters, digits, '_' and '-'.");
        }
        var playlist = HlsFiles.IsPlaylist(file);
        FolderOf(folder).LastFileAt = Environment.TickCount64;
        var limit = playlist ? options.MaxPlaylistBytes : options.MaxSegmentBytes;
        var content = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (content.Length + read > limit)
            {
                return IngestResult.Refused(413, "too_large", $"'{file}' is longer than {limit:N0} bytes.");
            }
            content.Write(buffer, 0, read);
        }
        var bytes = content.GetBuffer().AsSpan(0, (int)content.Length);
        return playlist ? await PlaylistAsync(folder, file, bytes.ToArray(), cancellationToken) : await SegmentAsync(folder, file, content, cancellationToken);
    }

    private async Task<IngestResult> SegmentAsync(string folder, string file, MemoryStream content, CancellationToken cancellationToken)
    {
        if (!HlsFiles.LooksLike(file, content.GetBuffer().AsSpan(0, (int)Math.Min(content.Length, 512))))
        {
            return IngestResult.Refused(415, "not_media", $"'{file}' does not start as its type does (MPEG-TS packets for .ts, an ISO box for .m4s and .mp4).");
        }
        content.Position = 0;
        var info = await blobs.PutAsync(folder + "/" + file, content, options.MaxSegmentBytes, cancellationToken);
        List<Held> ready;
        var state = FolderOf(folder);
        lock (state)
        {
            state.Present.Add(file);
            ready = state.Held.Values.Where(h => h.Playlist.Files.All(state.Present.Contains)).ToList();
            foreach (var h in ready)
            {
                state.Held.Remove(h.Name);
            }
        }
        PublishedPlaylist? published = null;
        foreach (var h in ready)
        {
            published = await PublishAsync(folder, state, h, cancellationToken) ?? published;
        }
        return new IngestResult(info.Length, published, [], null);
    }

    private async Task<IngestResult> PlaylistAsync(string folder, string file, byte[] bytes, CancellationToken cancellationToken)
    {
        if (HlsMaster.Parse(bytes) is var (master, masterError))
        {
            return master is null
                ? IngestResult.Refused(422, "invalid_playlist", masterError!)
                : await MasterAsync(folder, file, bytes, master, cancellationToken);
        }
        var (parsed, error) = HlsPlaylist.Parse(bytes);
        if (parsed is null)
        {
            return IngestResult.Refused(422, "invalid_playlist", error!);
        }
        var state = FolderOf(folder);
        var candidate = new Held(file, bytes, parsed);
        List<string> unknown;
        lock (state)
        {
            unknown = parsed.Files.Where(f => !state.Present.Contains(f)).ToList();
        }
        // Files written by another node (or before a restart) are in the store, not in this node's set.
        foreach (var f in unknown.ToArray())
        {
            if (await blobs.ExistsAsync(folder + "/" + f, cancellationToken))
            {
                unknown.Remove(f);
                lock (state)
                {
                    state.Present.Add(f);
                }
            }
        }
        // Checked again under the lock a segment takes when it lands: a segment written while the
        // store was asked is either in the set now, or finds this playlist held and publishes it.
        lock (state)
        {
            var missing = parsed.Files.Where(f => !state.Present.Contains(f)).ToList();
            if (missing.Count > 0)
            {
                if (!state.Held.TryGetValue(file, out var held) || held.Playlist.Files.Count <= parsed.Files.Count)
                {
                    state.Held[file] = candidate;
                }
                return new IngestResult(bytes.Length, null, missing, null);
            }
        }
        var published = await PublishAsync(folder, state, candidate, cancellationToken);
        return new IngestResult(bytes.Length, published, [], null);
    }

    /// <summary>
    /// A multivariant playlist (a rendition ladder) naming media playlists beside it: stored at once
    /// (viewers get it once a rendition is published); the broadcast is then told by it, and ends
    /// when every rendition it names has ended.
    /// </summary>
    private async Task<IngestResult> MasterAsync(string folder, string file, byte[] bytes, HlsMaster master, CancellationToken cancellationToken)
    {
        var state = FolderOf(folder);
        await state.Publishing.WaitAsync(cancellationToken);
        try
        {
            await blobs.PutAsync(folder + "/" + file, new MemoryStream(bytes), options.MaxPlaylistBytes, cancellationToken);
            state.Master = (file, master);
            return new IngestResult(bytes.Length, state.Published.Count > 0 ? BroadcastView(folder, state) : null, [], null);
        }
        finally
        {
            state.Publishing.Release();
        }
    }

    private async Task<PublishedPlaylist?> PublishAsync(string folder, Folder state, Held playlist, CancellationToken cancellationToken)
    {
        await state.Publishing.WaitAsync(cancellationToken);
        try
        {
            var last = state.Published.GetValueOrDefault(playlist.Name);
            if (last is not null && (last.Ended || last.Segments > playlist.Playlist.Files.Count || (last.Segments == playlist.Playlist.Files.Count && !playlist.Playlist.Ended)))
            {
                return null;
            }
            await blobs.PutAsync(folder + "/" + playlist.Name, new MemoryStream(playlist.Bytes), options.MaxPlaylistBytes, cancellationToken);
            state.Published[playlist.Name] = new PublishedPlaylist(playlist.Name, playlist.Playlist.Seconds, playlist.Playlist.Ended, playlist.Playlist.Files.Count,
                playlist.Playlist.Files.FirstOrDefault(f => !f.EndsWith(".mp4", StringComparison.Ordinal)));
            return BroadcastView(folder, state);
        }
        finally
        {
            state.Publishing.Release();
        }
    }

    /// <summary>
    /// What the broadcast shows after a publish: its one media playlist, or with a ladder the
    /// multivariant playlist, as long as its first rendition and ended when all have. The first
    /// time it ends, the folder is done here and the replay's picture is made.
    /// </summary>
    private PublishedPlaylist BroadcastView(string folder, Folder state)
    {
        PublishedPlaylist view;
        if (state.Master is var (name, master))
        {
            var renditions = master.Variants.Select(v => state.Published.GetValueOrDefault(v)).ToArray();
            var first = renditions.FirstOrDefault(r => r is not null) ?? state.Published.Values.First();
            view = new PublishedPlaylist(name, first.Seconds, renditions.All(r => r is { Ended: true }), first.Segments, first.FirstFile);
        }
        else
        {
            view = state.Published.Values.OrderByDescending(p => p.Segments).First();
        }
        if (view.Ended && !state.Done)
        {
            state.Done = true;
            lock (folders)
            {
                folders.Remove(folder);
            }
            logger.LogInformation("Broadcast {Folder} ended after {Seconds:F1} s in {Segments} segments", folder, view.Seconds, view.Segments);
            var firstRendition = state.Master is var (_, m) ? m.Variants[0] : view.Name;
            thumbnails.Start(folder, state.Published.GetValueOrDefault(firstRendition)?.FirstFile ?? view.FirstFile);
        }
        return view;
    }

    /// <summary>
    /// Ends a broadcast whose encoder stopped without ending its playlist (killed, or its connection
    /// lost): the last published playlist gets <c>#EXT-X-ENDLIST</c>. Null when there is nothing to
    /// end here (it ended already, or this node published none of it).
    /// </summary>
    public async Task<PublishedPlaylist?> FinishAsync(string folder, CancellationToken cancellationToken)
    {
        Folder? state;
        lock (folders)
        {
            folders.TryGetValue(folder, out state);
        }
        if (state is null)
        {
            return null;
        }
        await state.Publishing.WaitAsync(cancellationToken);
        try
        {
            if (state.Published.Count == 0 || state.Done)
            {
                return null;
            }
            foreach (var last in state.Published.Values.Where(p => !p.Ended).ToArray())
            {
                var path = folder + "/" + last.Name;
                await using (var read = await blobs.OpenAsync(path, cancellationToken))
                {
                    if (read is null)
                    {
                        continue;
                    }
                    using var text = new StreamReader(read.Content);
                    var ended = (await text.ReadToEndAsync(cancellationToken)).TrimEnd('\n') + "\n" + HlsPlaylist.EndTag + "\n";
                    await blobs.PutAsync(path, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ended)), options.MaxPlaylistBytes, cancellationToken);
                }
                state.Published[last.Name] = last with { Ended = true };
            }
            // A rendition the ladder names that never published a playlist cannot hold the end back.
            if (state.Master is var (name, master))
            {
                state.Master = (name, new HlsMaster(master.Variants.Where(state.Published.ContainsKey).ToArray()));
            }
            var finished = BroadcastView(folder, state);
            logger.LogInformation("Broadcast {Folder} ended by the platform after its encoder left without ending it ({Seconds:F1} s)", folder, finished.Seconds);
            return finished;
        }
        finally
        {
            state.Publishing.Release();
        }
    }

    private Folder FolderOf(string folder)
    {
        lock (folders)
        {
            if (!folders.TryGetValue(folder, out var state))
            {
                folders[folder] = state = new Folder();
            }
            return state;
        }
    }

    private sealed class Folder
    {
        public HashSet<string> Present { get; } = new(StringComparer.Ordinal);

        /// <summary>Per media playlist: the one waiting for its segments.</summary>
        public Dictionary<string, Held> Held { get; } = new(StringComparer.Ordinal);

        /// <summary>Per media playlist: the last published.</summary>
        public Dictionary<string, PublishedPlaylist> Published { get; } = new(StringComparer.Ordinal);

        /// <summary>The multivariant playlist of a ladder, when the encoder sent one.</summary>
        public (string Name, HlsMaster Playlist)? Master { get; set; }

        /// <summary>The broadcast ended (all its renditions).</summary>
        public bool Done { get; set; }

        public SemaphoreSlim Publishing { get; } = new(1, 1);

        public long LastFileAt { get; set; } = Environment.TickCount64;
    }

    /// <summary>
    /// The broadcasts this node published a playlist of that no file has reached for
    /// <paramref name="idle"/>, unended: an encoder that stopped without ending its playlist (its last
    /// request lost when it closed the connection, or killed). <see cref="FinishAsync"/> ends them.
    /// </summary>
    public IReadOnlyList<string> IdleFolders(TimeSpan idle)
    {
        var now = Environment.TickCount64;
        lock (folders)
        {
            return folders.Where(f => f.Value.Published.Count > 0 && !f.Value.Done && now - f.Value.LastFileAt > idle.TotalMilliseconds).Select(f => f.Key).ToArray();
        }
    }

    private sealed record Held(string Name, byte[] Bytes, HlsPlaylist Playlist);
}

/// <summary>A playlist now visible to viewers: its name, length, whether the broadcast is over, how many files it names and the first of them.</summary>
public sealed record PublishedPlaylist(string Name, double Seconds, bool Ended, int Segments, string? FirstFile = null);

/// <summary>What became of one pushed file: its size, a playlist it made visible, the files a held playlist still waits for, or why it was refused (nothing kept).</summary>
public sealed record IngestResult(long Bytes, PublishedPlaylist? Published, IReadOnlyList<string> Missing, IngestRefusal? Refusal)
{
    public static IngestResult Refused(int status, string code, string detail) => new(0, null, [], new IngestRefusal(status, code, detail));
}

public sealed record IngestRefusal(int Status, string Code, string Detail);
