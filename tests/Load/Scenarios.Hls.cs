using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using static Events.Load.Clock;

namespace Events.Load;

/// <summary>
/// 6. HLS origin: a broadcast is pushed segment by segment through the ingest (each playlist PUT
/// timed until a viewer's GET lists the new segment), then players fetch the playlist and segments
/// as fast as they can for a phase; the baseline is the same files served by a bare Kestrel's static
/// files, alternated <c>--rounds</c> times. The figure is server CPU per request, which the
/// generator's own limit does not distort.
/// </summary>
public sealed partial class Scenarios
{
    private const int SegmentBytes = 256 * 1024;

    private async Task HlsAsync(HubClient organizer)
    {
        if (!Ok(await organizer.InvokeAsync("GetStreamKey", Json(s.Session)), out var keyView))
        {
            throw new InvalidOperationException("GetStreamKey refused: " + keyView);
        }
        var key = keyView.GetProperty("key").GetString()!;
        var segment = new byte[SegmentBytes];
        for (var i = 0; i < segment.Length; i += 188)
        {
            segment[i] = 0x47;
        }
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = s.HlsPlayers, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { Timeout = TimeSpan.FromSeconds(30) };
        var ours = new Uri($"http://127.0.0.1:{platform.Port(0)}");
        var available = new List<double>();
        string? playlistPath = null;
        var playlist = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:EVENT\n");
        for (var k = 0; k < s.HlsSegments; k++)
        {
            var name = $"seg{k}.ts";
            Ensure(await http.PutAsync(new Uri(ours, $"/ingest/{s.Session}/{key}/{name}"), new ByteArrayContent(segment)), name);
            playlist.Append("#EXTINF:2.000000,\n").Append(name).Append('\n');
            var started = Now;
            Ensure(await http.PutAsync(new Uri(ours, $"/ingest/{s.Session}/{key}/index.m3u8"), new StringContent(playlist.ToString())), "index.m3u8");
            playlistPath ??= await FindPlaylistAsync(organizer);
            var listed = await http.GetStringAsync(new Uri(ours, playlistPath));
            available.Add(Ms(started, Now));
            report.Check(listed.Contains(name, StringComparison.Ordinal), $"hls: segment {name} was not in the playlist viewers got right after its playlist was pushed");
        }
        var published = playlistPath ?? throw new InvalidOperationException("hls: no segment was pushed (--hls-segments)");
        var oursFolder = published[..(published.LastIndexOf('/') + 1)];
        if (baselineHttp is not null)
        {
            for (var k = 0; k < s.HlsSegments; k++)
            {
                Ensure(await baselineHttp.PutAsync($"/files/seg{k}.ts", new ByteArrayContent(segment)), "baseline segment");
            }
            Ensure(await baselineHttp.PutAsync("/files/index.m3u8", new StringContent(playlist.ToString())), "baseline playlist");
        }

        var oursRuns = new List<Fetch>();
        var bareRuns = new List<Fetch>();
        var cpuPerRequest = hlsCpuPerRequest;
        for (var round = 1; round <= Rounds; round++)
        {
            var o = await FetchAsync(http, ours, oursFolder, "index.m3u8", platform);
            oursRuns.Add(o);
            report.Check(o.Failed == 0, $"hls round {round}: {o.Failed} of the platform's requests failed (e.g. {o.Error})");
            Fetch? b = null;
            if (baseline is not null)
            {
                b = await FetchAsync(http, baselineHttp!.BaseAddress!, "/static/", "index.m3u8", baseline);
                bareRuns.Add(b);
                report.Check(b.Failed == 0, $"hls baseline round {round}: {b.Failed} requests failed (e.g. {b.Error})");
            }
            cpuPerRequest.Add(new(o.CpuMicrosPerRequest, b?.CpuMicrosPerRequest ?? double.NaN));
        }
        var sorted = available.Order().ToArray();
        report.Add("hls origin", $"{s.HlsSegments} segments of {SegmentBytes / 1024} KB pushed through the ingest; then {s.HlsPlayers} players each fetching the playlist and a segment in turn for {s.HlsSeconds} s{PerRound}",
            $"{Report.Spread(oursRuns.Select(r => r.PerSecond).ToArray())} requests/s ({Report.Spread(oursRuns.Select(r => r.Megabytes / r.Seconds).ToArray())} MB/s); server CPU {Report.Spread(oursRuns.Select(r => r.CpuMicrosPerRequest).ToArray(), 1)} µs/request; " +
            $"playlist PUT to listed for viewers p50 {Report.F(Pct(sorted, 50), 1)} ms, p99 {Report.F(Pct(sorted, 99), 1)} ms; {oursRuns.Sum(r => r.Failed)} failed");
        if (baseline is not null)
        {
            report.Add("static files (baseline)", "the same playlist and segments served by a bare Kestrel's static files, after each platform phase",
                $"{Report.Spread(bareRuns.Select(r => r.PerSecond).ToArray())} requests/s; server CPU {Report.Spread(bareRuns.Select(r => r.CpuMicrosPerRequest).ToArray(), 1)} µs/request", "",
                $"CPU/request ours/baseline {Report.RatioSpread(cpuPerRequest)}");
        }
    }

    private static double Pct(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];

    private static void Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"hls: pushing {what} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        }
    }

    /// <summary>The playlist's path as viewers get it, from the session's state.</summary>
    private async Task<string> FindPlaylistAsync(HubClient organizer)
    {
        for (var i = 0; i < 100; i++)
        {
            if (Ok(await organizer.InvokeAsync("JoinSession", Json(s.Session)), out var snapshot)
                && snapshot.GetProperty("stream").TryGetProperty("playlist", out var playlist) && playlist.GetString() is { } path)
            {
                return path;
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException("hls: the session's snapshot never named a playlist");
    }

    private Task<Fetch> FetchAsync(HttpClient http, Uri server, string folder, string playlistName, IMeasured process) =>
        FetchPathsAsync(http, server, n => n % 2 == 0 ? folder + playlistName : $"{folder}seg{n / 2 % s.HlsSegments}.ts", process, s.HlsPlayers, s.HlsSeconds);

    /// <summary>Clients fetching as fast as they can for a phase, request n of a client asking for <paramref name="pathOf"/>(n); and <paramref name="language"/>(n) as its Accept-Language when given.</summary>
    private async Task<Fetch> FetchPathsAsync(HttpClient http, Uri server, Func<int, string> pathOf, IMeasured process, int clients, double seconds, Func<int, string>? language = null)
    {
        var fetch = new Fetch();
        var cpu = process.CpuTime();
        var started = Now;
        var until = started + (long)(seconds * Stopwatch.Frequency);
        var players = Enumerable.Range(0, clients).Select(p => Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            for (var n = p; Now < until; n++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, pathOf(n)));
                    if (language is not null)
                    {
                        request.Headers.AcceptLanguage.ParseAdd(language(n));
                    }
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                    await using var body = await response.Content.ReadAsStreamAsync();
                    long read = 0;
                    int r;
                    while ((r = await body.ReadAsync(buffer)) > 0)
                    {
                        read += r;
                    }
                    Interlocked.Add(ref fetch.Bytes, read);
                    Interlocked.Increment(ref fetch.Requests);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref fetch.FailedCount);
                    fetch.Error ??= e.Message;
                }
            }
        })).ToArray();
        await Task.WhenAll(players);
        fetch.Seconds = Ms(started, Now) / 1000;
        fetch.Cpu = process.CpuTime() - cpu;
        return fetch;
    }

    private sealed class Fetch
    {
        public long Requests;
        public long Bytes;
        public int FailedCount;
        public string? Error;

        public double Seconds { get; set; }

        public TimeSpan Cpu { get; set; }

        public int Failed => FailedCount;

        public double PerSecond => Requests / Seconds;

        public double Megabytes => Bytes / 1e6;

        public double CpuMicrosPerRequest => Requests == 0 ? double.NaN : Cpu.TotalMilliseconds * 1000 / Requests;
    }
}
