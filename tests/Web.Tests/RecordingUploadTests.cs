using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Events.Silo.Streams;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;

namespace Events.Web.Tests;

/// <summary>
/// An organizer uploads a recording made by real ffmpeg: an MP4 (H.264, cut without re-encoding)
/// becomes a new replay, a WebM (VP8, re-encoded) replaces it; what is not a video, too large,
/// unreadable or not the organizer's to upload is refused. About 15 s here.
/// </summary>
public sealed class RecordingUploadTests
{
    private const string Session = "forum-2026-12-open-source";

    private static async Task<byte[]> MakeRecordingAsync(string extension, int seconds, params string[] codec)
    {
        var folder = Directory.CreateTempSubdirectory("rec-").FullName;
        try
        {
            var path = Path.Combine(folder, "talk." + extension);
            var info = new System.Diagnostics.ProcessStartInfo(Ffmpeg.Path) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", seconds.ToString() }
                .Concat(codec).Append(path))
            {
                info.ArgumentList.Add(a);
            }
            using var p = System.Diagnostics.Process.Start(info)!;
            var errors = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, errors);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static async Task<HttpResponseMessage> UploadAsync(LiveHost host, byte[] body, string? token, string? replace = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sessions/{Session}/recordings" + (replace is null ? "" : "?replace=" + replace))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await (client ?? host.Http).SendAsync(request);
    }

    private static Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code) => StreamingTests.AssertProblemAsync(response, status, code);

    [Fact]
    public async Task An_uploaded_mp4_becomes_a_replay_and_a_webm_edit_replaces_it()
    {
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Streaming:MaxUploadBytes"] = "2097152" });
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        var mp4 = await MakeRecordingAsync("mp4", 5, "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart");

        var created = await UploadAsync(host, mp4, organizer.Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var replay = (await created.Content.ReadFromJsonAsync<ReplayAdminView>())!;
        Assert.InRange(replay.Seconds, 4.9, 5.1);
        Assert.Matches($"^/hls/{Session}/b[0-9]+/upload-[0-9]+\\.m3u8$", replay.Playlist);
        await Eventually.TrueAsync(() => viewer.Stream is { State: "ended" } s && s.Playlist == replay.Playlist, "the viewer to get the uploaded replay", 10_000);
        var playlist = await host.Http.GetStringAsync(replay.Playlist);
        Assert.Contains("#EXT-X-ENDLIST", playlist);
        var firstSegment = playlist.Split('\n').First(l => l.EndsWith(".ts"));
        var segment = await host.Http.GetByteArrayAsync(replay.Playlist[..(replay.Playlist.LastIndexOf('/') + 1)] + firstSegment);
        Assert.Equal(0x47, segment[0]);
        await Eventually.TrueAsync(async () => (await host.Http.GetStringAsync("/replays")).Contains($"href=\"/sessions/{Session}\""), "the library to list it", 20_000);

        // A WebM edit (VP8 and Opus, which MPEG-TS cannot carry as they are: re-encoded) replaces the recording.
        var webm = await MakeRecordingAsync("webm", 3, "-c:v", "libvpx", "-b:v", "300k", "-deadline", "realtime", "-c:a", "libopus");
        var replaced = await UploadAsync(host, webm, organizer.Token, replace: replay.BroadcastId);
        Assert.Equal(HttpStatusCode.Created, replaced.StatusCode);
        var edit = (await replaced.Content.ReadFromJsonAsync<ReplayAdminView>())!;
        Assert.Equal(replay.BroadcastId, edit.BroadcastId);
        Assert.InRange(edit.Seconds, 2.9, 3.1);
        Assert.Equal(edit.Seconds, edit.OriginalSeconds);
        Assert.NotEqual(replay.Playlist, edit.Playlist);
        await Eventually.TrueAsync(() => viewer.Stream.Playlist == edit.Playlist, "the viewer to get the edit", 10_000);
        Assert.Contains("#EXT-X-ENDLIST", await host.Http.GetStringAsync(edit.Playlist));
    }

    [Fact]
    public async Task What_is_not_a_video_too_large_unreadable_or_not_an_organizers_is_refused()
    {
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Streaming:MaxUploadBytes"] = "1048576" });
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var member = await host.CreateAccountAsync("member");
        var text = System.Text.Encoding.UTF8.GetBytes(new string('x', 4096));
        await AssertProblemAsync(await UploadAsync(host, text, organizer.Token), HttpStatusCode.UnsupportedMediaType, "not_video");
        // An MP4's first box, then noise: a container by its first bytes, but no video in it.
        var fake = new byte[64 * 1024];
        Random.Shared.NextBytes(fake);
        "\0\0\0\u0018ftypisom\0\0\0\0"u8.CopyTo(fake);
        await AssertProblemAsync(await UploadAsync(host, fake, organizer.Token), (HttpStatusCode)422, "unreadable_video");
        var large = new byte[1_100_000];
        "\0\0\0\u0018ftypisom\0\0\0\0"u8.CopyTo(large);
        await AssertProblemAsync(await UploadAsync(host, large, organizer.Token), HttpStatusCode.RequestEntityTooLarge, "too_large");
        await AssertProblemAsync(await UploadAsync(host, fake, null), HttpStatusCode.Unauthorized, "unauthenticated");
        await AssertProblemAsync(await UploadAsync(host, fake, member.Token), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await UploadAsync(host, fake, organizer.Token, replace: "b1"), HttpStatusCode.NotFound, "unknown_replay");
        await AssertProblemAsync(await UploadAsync(host, fake, organizer.Token, replace: "..%2Fb1"), HttpStatusCode.NotFound, "unknown_replay");
        // Signed in with the site's cookie but without the page's antiforgery token: refused.
        var browser = await host.SignInWithFormAsync(organizer.Email, organizer.Password);
        await AssertProblemAsync(await UploadAsync(host, fake, null, client: browser), HttpStatusCode.BadRequest, "antiforgery");
        // Nothing was published.
        Assert.Empty(await host.Store().GetBroadcastsAsync(Session));
        Assert.False(Directory.Exists(Path.Combine(host.DataFolder, "blobs", "live", Session)) && Directory.EnumerateFiles(Path.Combine(host.DataFolder, "blobs", "live", Session), "*", SearchOption.AllDirectories).Any());
    }
}
