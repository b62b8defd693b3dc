namespace Events.Load;

/// <summary>
/// 7. The mobile voting page: anonymous phones fetch <c>/vote/{session}</c> as fast as they can
/// (half in English, half in Chinese) for a phase; the baseline is the same page's bytes served as
/// a static file by a bare Kestrel, alternated <c>--rounds</c> times. The goal is at least half the
/// baseline's requests per second of server CPU (the page is kept in the output cache, so a visit
/// costs no rendering, grain call or database work). Checked first: the page is cacheable
/// (Cache-Control public, no cookie set) in both languages.
/// </summary>
public sealed partial class Scenarios
{
    private const string VotePageSession = "contest-final";

    private async Task VotePageAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = s.PageClients, PooledConnectionLifetime = TimeSpan.FromMinutes(10), UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var ours = new Uri($"http://127.0.0.1:{platform.Port(0)}");
        var path = "/vote/" + VotePageSession;
        string Language(int n) => n % 2 == 0 ? "en" : "zh-CN";
        byte[] english = [];
        foreach (var language in new[] { "en", "zh-CN" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ours, path));
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            english = language == "en" ? body : english;
            report.Check(response.IsSuccessStatusCode && response.Headers.CacheControl is { Public: true } && !response.Headers.Contains("Set-Cookie"),
                $"page: /vote in {language} answered {(int)response.StatusCode}, Cache-Control '{response.Headers.CacheControl}', {(response.Headers.Contains("Set-Cookie") ? "with" : "without")} a cookie: not cacheable for anonymous visitors");
        }
        if (baselineHttp is not null)
        {
            Ensure(await baselineHttp.PutAsync("/files/vote.html", new ByteArrayContent(english)), "baseline page");
        }
        var oursRuns = new List<Fetch>();
        var bareRuns = new List<Fetch>();
        var perSecond = new List<(double, double)>();
        for (var round = 1; round <= Rounds; round++)
        {
            var o = await FetchPathsAsync(http, ours, _ => path, platform, s.PageClients, s.PageSeconds, Language);
            oursRuns.Add(o);
            report.Check(o.Failed == 0, $"page round {round}: {o.Failed} of the platform's requests failed (e.g. {o.Error})");
            Fetch? b = null;
            if (baseline is not null)
            {
                b = await FetchPathsAsync(http, baselineHttp!.BaseAddress!, _ => "/static/vote.html", baseline, s.PageClients, s.PageSeconds);
                bareRuns.Add(b);
                report.Check(b.Failed == 0, $"page baseline round {round}: {b.Failed} requests failed (e.g. {b.Error})");
            }
            // Requests per second of server CPU: what one core would serve, which the generator's own limit does not distort.
            perSecond.Add((1e6 / o.CpuMicrosPerRequest, b is null ? double.NaN : 1e6 / b.CpuMicrosPerRequest));
        }
        report.Add("voting page", $"{s.PageClients} anonymous phones fetching /vote/{VotePageSession} ({english.Length / 1024.0:0.0} KB, English and Chinese alternately) for {s.PageSeconds} s{PerRound}",
            $"{Report.Spread(oursRuns.Select(r => r.PerSecond).ToArray())} requests/s; server CPU {Report.Spread(oursRuns.Select(r => r.CpuMicrosPerRequest).ToArray(), 1)} µs/request = {Report.Spread(perSecond.Select(p => p.Item1).ToArray())} requests per CPU-second; {oursRuns.Sum(r => r.Failed)} failed");
        if (baseline is not null)
        {
            report.Add("static page (baseline)", "the same page's English bytes served by a bare Kestrel's static files, after each platform phase",
                $"{Report.Spread(bareRuns.Select(r => r.PerSecond).ToArray())} requests/s; server CPU {Report.Spread(bareRuns.Select(r => r.CpuMicrosPerRequest).ToArray(), 1)} µs/request = {Report.Spread(perSecond.Select(p => p.Item2).ToArray())} requests per CPU-second", "",
                $"requests per CPU-second ours/baseline {string.Join(", ", perSecond.Select(p => Report.R(p.Item1 / p.Item2)))} (goal: at least 0.5)");
        }
    }
}
