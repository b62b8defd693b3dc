using System.Text;
using Events.Streaming.Blobs;
using Events.Streaming.Hls;
using Events.Streaming.Replays;
using Microsoft.Extensions.Logging.Abstractions;

namespace Events.Streaming.Tests;

/// <summary>The origin's rules for pushed files, over the real local blob store.</summary>
public sealed class HlsOriginTests : IDisposable
{
    private const string Folder = "live/s1/b1";
    private readonly string root = Directory.CreateTempSubdirectory("origin-").FullName;
    private readonly LocalBlobStore blobs;
    private readonly HlsOrigin origin;

    public HlsOriginTests()
    {
        blobs = new LocalBlobStore(root);
        var options = new StreamingOptions { MaxSegmentBytes = 64 * 1024, MaxPlaylistBytes = 4096 };
        origin = new HlsOrigin(blobs, options, new Thumbnails(blobs, options, NullLogger<Thumbnails>.Instance), NullLogger<HlsOrigin>.Instance);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>MPEG-TS: 188-byte packets, each starting with the sync byte 0x47.</summary>
    private static byte[] Segment(int packets = 4)
    {
        var bytes = new byte[188 * packets];
        for (var i = 0; i < packets; i++)
        {
            bytes[i * 188] = 0x47;
        }
        return bytes;
    }

    private static string Playlist(int segments, bool ended = false)
    {
        var text = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:EVENT\n");
        for (var i = 0; i < segments; i++)
        {
            text.Append("#EXTINF:2.000000,\nindex").Append(i).Append(".ts\n");
        }
        return (ended ? text.Append("#EXT-X-ENDLIST\n") : text).ToString();
    }

    private Task<IngestResult> PutAsync(string file, byte[] body) => origin.ReceiveAsync(Folder, file, new MemoryStream(body), CancellationToken.None);

    private Task<IngestResult> PutAsync(string file, string body) => PutAsync(file, Encoding.UTF8.GetBytes(body));

    private async Task<string?> PublishedAsync()
    {
        await using var read = await blobs.OpenAsync(Folder + "/index.m3u8");
        return read is null ? null : await new StreamReader(read.Content).ReadToEndAsync();
    }

    [Fact]
    public async Task A_playlist_pushed_before_its_segment_is_held_until_the_segment_lands()
    {
        var held = await PutAsync("index.m3u8", Playlist(1));
        Assert.Null(held.Published);
        Assert.Equal(["index0.ts"], held.Missing);
        Assert.Null(await PublishedAsync());

        var segment = await PutAsync("index0.ts", Segment());
        Assert.Equal(188 * 4, segment.Bytes);
        Assert.Equal(new PublishedPlaylist("index.m3u8", 2, false, 1, "index0.ts"), segment.Published);
        Assert.Equal(Playlist(1), await PublishedAsync());
    }

    [Fact]
    public async Task Playlists_only_grow_and_the_one_that_ends_completes_the_broadcast()
    {
        for (var i = 0; i < 3; i++)
        {
            await PutAsync($"index{i}.ts", Segment());
        }
        Assert.Equal(3, (await PutAsync("index.m3u8", Playlist(3))).Published?.Segments);
        // An older playlist whose PUT finished late is dropped.
        Assert.Null((await PutAsync("index.m3u8", Playlist(2))).Published);
        Assert.Equal(Playlist(3), await PublishedAsync());

        var end = await PutAsync("index.m3u8", Playlist(3, ended: true));
        Assert.Equal(new PublishedPlaylist("index.m3u8", 6, true, 3, "index0.ts"), end.Published);
        Assert.EndsWith("#EXT-X-ENDLIST\n", await PublishedAsync());
    }

    [Fact]
    public async Task What_is_not_what_its_name_says_is_refused_and_nothing_is_written()
    {
        Assert.Equal("not_media", (await PutAsync("index0.ts", "<html>not video</html>")).Refusal?.Code);
        Assert.Equal("not_media", (await PutAsync("init.mp4", Segment())).Refusal?.Code);
        Assert.Equal("too_large", (await PutAsync("index1.ts", Segment(400))).Refusal?.Code);
        Assert.Equal(413, (await PutAsync("index1.ts", Segment(400))).Refusal?.Status);
        Assert.Equal("invalid_playlist", (await PutAsync("index.m3u8", "hello")).Refusal?.Code);
        Assert.Equal("invalid_playlist", (await PutAsync("index.m3u8", "#EXTM3U\n#EXTINF:2,\nhttp://elsewhere.example/a.ts\n")).Refusal?.Code);
        Assert.Equal("invalid_playlist", (await PutAsync("index.m3u8", "#EXTM3U\n#EXTINF:2,\n../b2/index0.ts\n")).Refusal?.Code);
        Assert.Equal("invalid_playlist", (await PutAsync("master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n../b2/low.m3u8\n")).Refusal?.Code);
        Assert.Equal("invalid_playlist", (await PutAsync("master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nlow0.ts\n")).Refusal?.Code);
        Assert.Equal("invalid_file", (await PutAsync("../index0.ts", Segment())).Refusal?.Code);
        Assert.Equal("invalid_file", (await PutAsync("notes.txt", "x")).Refusal?.Code);
        Assert.Empty(Directory.GetFiles(root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_ladders_multivariant_playlist_tells_the_broadcast_and_it_ends_when_every_rendition_has()
    {
        static string Rendition(string v, int segments, bool ended = false) =>
            Playlist(segments, ended).Replace("index", v + "_");
        const string master = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720\nv0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1100000,RESOLUTION=854x480\nv1.m3u8\n";
        Assert.Null((await PutAsync("v0_0.ts", Segment())).Published);
        Assert.Null((await PutAsync("master.m3u8", master)).Published);
        var first = (await PutAsync("v0.m3u8", Rendition("v0", 1))).Published!;
        Assert.Equal(("master.m3u8", 2.0, false), (first.Name, first.Seconds, first.Ended));
        // The second rendition's playlist is held for its segment like any other, and is its own: it does not compete with the first.
        Assert.Null((await PutAsync("v1.m3u8", Rendition("v1", 1))).Published);
        Assert.Equal("master.m3u8", (await PutAsync("v1_0.ts", Segment())).Published!.Name);
        await PutAsync("v0_1.ts", Segment());
        await PutAsync("v1_1.ts", Segment());
        Assert.False((await PutAsync("v0.m3u8", Rendition("v0", 2, ended: true))).Published!.Ended);
        var ended = (await PutAsync("v1.m3u8", Rendition("v1", 2, ended: true))).Published!;
        Assert.Equal(("master.m3u8", 4.0, true), (ended.Name, ended.Seconds, ended.Ended));
        await using var read = await blobs.OpenAsync(Folder + "/master.m3u8");
        Assert.Equal(master, await new StreamReader(read!.Content).ReadToEndAsync());
    }

    [Fact]
    public async Task An_fmp4_init_section_named_by_the_playlist_must_arrive_before_the_playlist_is_published()
    {
        var init = new byte[] { 0, 0, 0, 16, (byte)'f', (byte)'t', (byte)'y', (byte)'p', 0, 0, 0, 0, 0, 0, 0, 0 };
        var fragment = new byte[] { 0, 0, 0, 16, (byte)'m', (byte)'o', (byte)'o', (byte)'f', 0, 0, 0, 0, 0, 0, 0, 0 };
        const string playlist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.0,\nindex0.m4s\n";
        Assert.Null((await PutAsync("index0.m4s", fragment)).Published);
        var held = await PutAsync("index.m3u8", playlist);
        Assert.Equal(["init.mp4"], held.Missing);
        Assert.NotNull((await PutAsync("init.mp4", init)).Published);
        Assert.Equal(playlist, await PublishedAsync());
    }

    [Fact]
    public async Task A_segment_landing_while_its_playlist_is_being_checked_still_gets_the_playlist_published()
    {
        // The playlist's check of the store is slow (another request, a busy disk): its segment lands
        // meanwhile. Whichever of the two finishes last must publish the playlist; the last playlist
        // of a push has no later segment to publish it.
        var gated = new GatedExists(blobs);
        var slow = new HlsOrigin(gated, new StreamingOptions(), new Thumbnails(gated, new StreamingOptions(), NullLogger<Thumbnails>.Instance), NullLogger<HlsOrigin>.Instance);
        var playlistPut = slow.ReceiveAsync(Folder, "index.m3u8", new MemoryStream(Encoding.UTF8.GetBytes(Playlist(1, ended: true))), CancellationToken.None);
        await gated.Asked.Task;
        var segment = await slow.ReceiveAsync(Folder, "index0.ts", new MemoryStream(Segment()), CancellationToken.None);
        gated.Open.SetResult();
        var playlist = await playlistPut;
        var published = playlist.Published ?? segment.Published;
        Assert.Equal(new PublishedPlaylist("index.m3u8", 2, true, 1, "index0.ts"), published);
        Assert.Equal(Playlist(1, ended: true), await PublishedAsync());
    }

    /// <summary>The real store, whose ExistsAsync answers what it found only once <see cref="Open"/> is set.</summary>
    private sealed class GatedExists(IBlobStore inner) : IBlobStore
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
        {
            var found = await inner.ExistsAsync(path, cancellationToken);
            Asked.TrySetResult();
            await Open.Task;
            return found;
        }

        public Task<BlobInfo> PutAsync(string path, Stream content, long maxBytes, CancellationToken cancellationToken = default) => inner.PutAsync(path, content, maxBytes, cancellationToken);

        public Task<BlobRead?> OpenAsync(string path, CancellationToken cancellationToken = default) => inner.OpenAsync(path, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
    }
}
