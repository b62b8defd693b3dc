using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using static Events.Load.Clock;

namespace Events.Load;

/// <summary>
/// The benchmark's scenarios. On one node the platform and the bare baseline run side by side on
/// the server core, and each comparison alternates short phases, ours then the baseline's with
/// the same shape, <c>--rounds</c> times: both see the same machine within seconds of each other,
/// and every ratio is the median of the rounds' ratios with its spread. With <c>--nodes K</c> the
/// platform is a cluster, viewers and voters are spread over its nodes, and there is no baseline.
/// Correctness is checked in every phase: every update received by every viewer, every voter
/// counted exactly once (tally = recount), every chat message delivered to everyone.
/// </summary>
public sealed partial class Scenarios(Settings s, Report report)
{
    private const string Ours = "ours";
    private const string Bare = "baseline";
    private static readonly byte[] VoteEcho = Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"12345\",\"target\":\"CastVote\",\"arguments\":[\"r-0123456789abcdef\",\"a\",\"vote-123456\"]}\u001e");

    private readonly Loopback loopback = new(s.SourceAddresses);
    private readonly ViewerGroup audience = new();

    /// <summary>The chat baseline's viewers, on the bare server.</summary>
    private readonly ViewerGroup bareAudience = new();
    private readonly bool cluster = s.Nodes > 1;

    // What each round measured, ours and the baseline's, for the medians, spreads and the rounds table.
    private readonly List<Paired> memory = [];
    private readonly List<Paired> cpuPerDelivery = [];
    private readonly List<Paired> votesPerSecond = [];
    private readonly List<Paired> ackP99 = [];
    private readonly List<Paired> chatP99 = [];
    private readonly List<Paired> hlsCpuPerRequest = [];

    private Platform platform = null!;
    private Fleet fleet = null!;
    private ServerProcess? baseline;
    private HttpClient? baselineHttp;
    private long rssBefore;
    private long baselineRssBefore;
    private Report.Row? holdRow;
    private Report.Row? baselineHoldRow;
    private string holdFigures = "";
    private string baselineHoldFigures = "";

    private int Rounds => cluster ? 1 : Math.Max(1, s.Rounds);

    private int TickMs => (int)TimeSpan.Parse(s.Tick, CultureInfo.InvariantCulture).TotalMilliseconds;

    /// <summary>The baseline's paced broadcast: one frame per socket per tick for as long as the platform's phase.</summary>
    private int PacedFrames => Math.Max(5, s.BroadcastSeconds * 1000 / TickMs);

    private string Name(string scenario) => cluster ? $"{scenario} ({s.Nodes} nodes)" : scenario;

    private string OnNodes(int count) => cluster ? $" spread over {s.Nodes} nodes ({Report.F(Math.Ceiling(count / (double)s.Nodes))} each at most)" : "";

    private string PerRound => Rounds > 1 ? $", {Rounds} rounds" : "";

    public async Task RunAsync()
    {
        if (cluster)
        {
            report.Notes.Add("A cluster has no baseline to alternate with (the bare server is one process, and one process holds at most ~19,000 sockets here): each scenario runs once, the vote storm into one vote round; --rounds applies to one node.");
        }
        await using var started = await Platform.StartAsync(s);
        platform = started;
        try
        {
            if (!cluster && !s.SkipBaseline)
            {
                var port = ServerProcess.FreePort();
                baseline = ServerProcess.Start("baseline", s.ServerCore, "dotnet", [typeof(Scenarios).Assembly.Location, "baseline", "--port", port.ToString()], port, workingDirectory: s.Repository);
                baselineHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
                await baseline.WaitUntilAsync(async () => (await baselineHttp.GetAsync("/stats")).IsSuccessStatusCode, TimeSpan.FromMinutes(1));
            }
            await using var workers = new Fleet(s);
            fleet = workers;
            var organizerToken = (await platform.MintAsync("org", 1, "Organizer"))[0];
            var members = await platform.MintAsync("m", Math.Max(s.ChatSenders, s.ScreenVotes) + 1);

            if (s.Runs("hold") || s.Runs("broadcast") || s.Runs("screen"))
            {
                await HoldAsync();
            }
            if (s.Runs("broadcast"))
            {
                await BroadcastAsync(members[0]);
            }
            await using var organizer = await ConnectOneAsync(platform.Port(0), organizerToken, join: true);
            if (s.Runs("screen"))
            {
                await VoteToScreenAsync(organizer, members);
            }
            // The viewers leave: the storm's voters are a new audience, as in the finals.
            await fleet.DisposeAsync();
            if (s.Runs("storm"))
            {
                await VoteStormAsync(organizer);
            }
            if (s.Runs("chat"))
            {
                await ChatStormAsync(members);
            }
            if (s.Runs("hls") && !cluster)
            {
                await HlsAsync(organizer);
            }
            if (s.Runs("page") && !cluster)
            {
                await VotePageAsync();
            }
            AddRoundsTable();
        }
        finally
        {
            baselineHttp?.Dispose();
            if (baseline is not null)
            {
                await baseline.DisposeAsync();
            }
        }
    }

    // 1. hold ----------------------------------------------------------------------------------

    /// <summary>
    /// The viewers join the platform (spread over its nodes; worker processes hold them), every
    /// viewer's <c>counts.current</c> must reach the number joined (the sum over the nodes), then
    /// as many bare WebSockets connect to the baseline, and both are held idle.
    /// </summary>
    private async Task HoldAsync()
    {
        rssBefore = platform.Rss();
        baselineRssBefore = baseline?.Rss() ?? 0;
        var (joined, joinSeconds) = await fleet.AddAsync(Ours, platform.Ports, s.Viewers, join: true);
        report.Check(joined.Failed == 0, $"hold: {joined.Failed} of {s.Viewers} viewers could not connect and join (e.g. {joined.Error})");
        var (countSeconds, counts) = await CountsSettleAsync(joined);
        report.Check(!double.IsNaN(countSeconds),
            $"hold: 20 s after the last join the viewers' counts.current ranged {counts.CurrentMin}–{counts.CurrentMax}, not {joined.Ok}");

        var bareSeconds = double.NaN;
        if (baseline is not null)
        {
            (var connected, bareSeconds) = await fleet.AddAsync(Bare, [baseline.Port], s.Viewers, join: false);
            report.Check(connected.Failed == 0, $"hold (baseline): {connected.Failed} of {s.Viewers} sockets could not connect (e.g. {connected.Error})");
        }

        await fleet.ResetAsync(Ours);
        var cpu = platform.CpuTime();
        var services = platform.ServicesCpuTime();
        var bareCpu = baseline?.CpuTime() ?? TimeSpan.Zero;
        var held = Now;
        await Task.Delay(TimeSpan.FromSeconds(s.HoldSeconds));
        var seconds = Ms(held, Now) / 1000;
        var idle = Percent(platform.CpuTime() - cpu, seconds);
        var servicesIdle = Percent(platform.ServicesCpuTime() - services, seconds);
        var ours = await fleet.TallyAsync(Ours);
        report.Check(ours.Closed == 0, $"hold: {ours.Closed} of {ours.Viewers} viewers were dropped");
        var steady = ours.CurrentMin == joined.Ok && ours.CurrentMax == joined.Ok && (ours.SeenMin == long.MaxValue || (ours.SeenMin == joined.Ok && ours.SeenMax == joined.Ok));
        report.Check(steady, $"hold: counts.current left {joined.Ok} during the hold (seen {ours.SeenMin}–{ours.SeenMax}, latest {ours.CurrentMin}–{ours.CurrentMax})");
        SampleMemory();

        holdFigures = $"joined in {Report.F(joinSeconds, 1)} s ({Report.F(joined.Ok / joinSeconds)}/s); drops {ours.Closed}; " +
            $"counts.current = {joined.Ok:N0} at every viewer {Report.F(countSeconds, 1)} s after the last join{(cluster ? " (the sum over the nodes)" : "")}, {(steady ? "unchanged" : "CHANGED")} through the hold; " +
            $"{(cluster ? "nodes'" : "server")} memory {{0}} KiB/connection; {(cluster ? "nodes'" : "server")} CPU idle {Report.F(idle, 1)}%{(cluster ? $" (Redis and PostgreSQL {Report.F(servicesIdle, 1)}%)" : "")}";
        holdRow = report.Add(Name("hold"), $"{s.Viewers:N0} viewers joined{OnNodes(s.Viewers)}, idle {s.HoldSeconds} s", "");
        if (baseline is not null)
        {
            var bare = await fleet.TallyAsync(Bare);
            report.Check(bare.Closed == 0, $"hold (baseline): {bare.Closed} of {bare.Viewers} sockets were dropped");
            baselineHoldFigures = $"connected in {Report.F(bareSeconds, 1)} s ({Report.F(bare.Viewers / bareSeconds)}/s); drops {bare.Closed}; " +
                $"server memory {{0}} KiB/connection; server CPU idle {Report.F(Percent(baseline.CpuTime() - bareCpu, seconds), 1)}%";
            baselineHoldRow = report.Add("hold (baseline)", $"{s.Viewers:N0} bare WebSockets, held beside the platform's viewers", "");
        }
    }

    /// <summary>Waits (at most 20 s after the last join) until every viewer's latest <c>counts.current</c> is the number joined; the seconds it took, or NaN.</summary>
    private async Task<(double Seconds, Tally Last)> CountsSettleAsync(Connected joined)
    {
        while (true)
        {
            var tally = await fleet.TallyAsync(Ours);
            if (tally.CurrentMin == joined.Ok && tally.CurrentMax == joined.Ok)
            {
                return (Math.Max(0, Ms(joined.Ended, Now) / 1000), tally);
            }
            if (Ms(joined.Ended, Now) > 20_000)
            {
                return (double.NaN, tally);
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Memory per held connection in each server, once per round (after the hold, then before each broadcast round).</summary>
    private void SampleMemory() => memory.Add(new(
        (platform.Rss() - rssBefore) / 1024.0 / s.Viewers,
        baseline is null ? double.NaN : (baseline.Rss() - baselineRssBefore) / 1024.0 / s.Viewers));

    // 2. broadcast -----------------------------------------------------------------------------

    private sealed record Broadcast(double Seconds, long Received, long Missing, long Extra, long Frames, double BytesPerUpdate, double CpuPercent, double OtherCpuPercent, int Sends)
    {
        public long Expected => Received + Missing - Extra;

        public double PerSecond => Received / Seconds;

        public double UsPerDelivery => Received > 0 ? CpuPercent / 100 * Seconds * 1e6 / Received : double.NaN;
    }

    /// <summary>
    /// A member on the first node reacts every 20 ms, which keeps every tick busy: one update per
    /// tick to every viewer; then the baseline sends as many frames of the platform's measured
    /// update size, one per socket per tick, to as many sockets. Alternated <c>--rounds</c> times.
    /// </summary>
    private async Task BroadcastAsync(string member)
    {
        await using var driver = await ConnectOneAsync(platform.Port(0), member, join: true);
        await Task.Delay(1000);
        var ours = new List<Broadcast>();
        var bare = new List<Broadcast>();
        var size = 0;
        for (var round = 1; round <= Rounds; round++)
        {
            if (round > 1)
            {
                SampleMemory();
            }
            var o = await BroadcastPhaseAsync(Ours, platform, baseline, () => ReactAsync(driver), frames: null);
            ours.Add(o);
            report.Check(o.Missing == 0 && o.Extra == 0, $"broadcast round {round}: {o.Missing} of {o.Expected} updates lost{(o.Extra > 0 ? $", {o.Extra} received twice or unasked" : "")}");
            if (baseline is null)
            {
                cpuPerDelivery.Add(new(o.UsPerDelivery, double.NaN));
                continue;
            }
            size = (int)Math.Round(o.BytesPerUpdate);
            var b = await BroadcastPhaseAsync(Bare, baseline, platform, () => BaselineBroadcastAsync($"count={PacedFrames}&size={size}&intervalMs={TickMs}"), PacedFrames);
            bare.Add(b);
            report.Check(b.Missing == 0, $"broadcast (baseline) round {round}: {b.Missing} of {b.Expected} frames lost");
            cpuPerDelivery.Add(new(o.UsPerDelivery, b.UsPerDelivery));
        }
        holdRow!.Figures = string.Format(CultureInfo.InvariantCulture, holdFigures, Report.Spread(memory.Select(m => m.Ours).ToArray(), 1));
        if (baselineHoldRow is not null)
        {
            baselineHoldRow.Figures = string.Format(CultureInfo.InvariantCulture, baselineHoldFigures, Report.Spread(memory.Select(m => m.Baseline).ToArray(), 1));
            baselineHoldRow.Ratio = "memory/connection ours/baseline " + Report.RatioSpread(memory);
        }

        report.Add(Name("broadcast"), $"{s.Viewers:N0} viewers{OnNodes(s.Viewers)}, tick {s.Tick}, a member{(cluster ? " on the first node" : "")} reacting every 20 ms for {s.BroadcastSeconds} s ({Report.F(Report.Median(ours.Select(o => (double)o.Sends)))} reactions{(Rounds > 1 ? " a round" : "")}){PerRound}",
            $"{Report.Spread(ours.Select(o => o.PerSecond).ToArray())} deliveries/s; {ours.Sum(o => o.Received):N0} received of {ours.Sum(o => o.Expected):N0} sent ({ours.Sum(o => o.Missing)} lost); " +
            $"{Report.F(ours.Average(o => o.BytesPerUpdate))} B/update; {(cluster ? "nodes'" : "server")} CPU {Report.Spread(ours.Select(o => o.CpuPercent).ToArray(), 1)}% = {Report.Spread(ours.Select(o => o.UsPerDelivery).ToArray(), 1)} µs/delivery");
        if (baseline is null)
        {
            return;
        }
        report.Add("broadcast (baseline)", $"{s.Viewers:N0} sockets x {PacedFrames} frames of the platform's size ({size} B), one per socket every {TickMs} ms, after each platform phase",
            $"{Report.Spread(bare.Select(b => b.PerSecond).ToArray())} deliveries/s; {bare.Sum(b => b.Missing)} lost; server CPU {Report.Spread(bare.Select(b => b.CpuPercent).ToArray(), 1)}% = " +
            $"{Report.Spread(bare.Select(b => b.UsPerDelivery).ToArray(), 1)} µs/delivery (the idle platform meanwhile {Report.Spread(bare.Select(b => b.OtherCpuPercent).ToArray(), 1)}%)", "",
            "CPU/delivery ours/baseline " + Report.RatioSpread(cpuPerDelivery));

        // Once, for scale: the same frames as the platform's last phase, as fast as the bare server can write them.
        var frames = (int)Math.Max(5, ours[^1].Frames);
        var flat = await BroadcastPhaseAsync(Bare, baseline, platform, () => BaselineBroadcastAsync($"count={frames}&size={size}"), frames);
        report.Check(flat.Missing == 0, $"broadcast flat out (baseline): {flat.Missing} of {flat.Expected} frames lost");
        report.Add("broadcast flat out (baseline)", $"{s.Viewers:N0} sockets x {frames} frames of {size} B, flat out (frames for one socket share syscalls)",
            $"{Report.F(flat.PerSecond)} deliveries/s; {flat.Missing} lost", "",
            "deliveries/s ours/baseline " + Report.Ratio(Report.Median(ours.Select(o => o.PerSecond)), flat.PerSecond));
    }

    /// <summary>
    /// One broadcast phase on one server, the same for both: the group's counters are reset,
    /// <paramref name="drive"/> makes the server send, and the deliveries, the losses (viewer by
    /// viewer) and the server's CPU per delivery are measured, with the other server's CPU
    /// meanwhile. <paramref name="frames"/> null (the platform): every viewer should get every
    /// update after its reset up to the highest seq any viewer saw; timed over the sending, then
    /// 3 s to settle. A number (the baseline): each socket should get that many frames; timed
    /// until the last one arrived.
    /// </summary>
    private async Task<Broadcast> BroadcastPhaseAsync(string group, IMeasured server, IMeasured? other, Func<Task<int>> drive, int? frames)
    {
        await fleet.ResetAsync(group);
        var cpu = server.CpuTime();
        var otherCpu = other?.CpuTime() ?? TimeSpan.Zero;
        var started = Now;
        var sends = await drive();
        double seconds;
        TimeSpan used, otherUsed;
        Tally tally;
        Deficit deficit;
        if (frames is { } f)
        {
            tally = await fleet.WaitAsync(group, f, TimeSpan.FromMinutes(2));
            used = server.CpuTime() - cpu;
            otherUsed = (other?.CpuTime() ?? TimeSpan.Zero) - otherCpu;
            seconds = Ms(started, Math.Max(tally.LastArrival, started + 1)) / 1000;
            deficit = await fleet.DeficitAsync(group, null, f);
        }
        else
        {
            seconds = Ms(started, Now) / 1000;
            used = server.CpuTime() - cpu;
            otherUsed = (other?.CpuTime() ?? TimeSpan.Zero) - otherCpu;
            (tally, deficit) = await SettleAsync(group);
        }
        return new Broadcast(seconds, tally.Received, deficit.Missing, deficit.Extra, frames ?? tally.MaxSeq - tally.MinStart,
            tally.Received > 0 ? tally.Bytes / (double)tally.Received : 0, Percent(used, seconds), Percent(otherUsed, seconds), sends);
    }

    /// <summary>
    /// After the platform's sending: at least 3 s, then until every viewer has every update up to
    /// the highest seq any has, or nothing arrived for 3 s (a loss), at most 30 s. A large audience
    /// on a busy core can take longer than a tick to get the last update.
    /// </summary>
    private async Task<(Tally, Deficit)> SettleAsync(string group)
    {
        var stopped = Now;
        await Task.Delay(3000);
        var quietSince = Now;
        var lastReceived = -1L;
        while (true)
        {
            var tally = await fleet.TallyAsync(group);
            var deficit = await fleet.DeficitAsync(group, tally.MaxSeq, null);
            if (tally.Received != lastReceived)
            {
                lastReceived = tally.Received;
                quietSince = Now;
            }
            if (deficit.Missing == 0 || Ms(quietSince, Now) > 3000 || Ms(stopped, Now) > 30_000)
            {
                return (tally, deficit);
            }
            await Task.Delay(500);
        }
    }

    private async Task<int> ReactAsync(HubClient driver)
    {
        var started = Now;
        var reactions = 0;
        while (Ms(started, Now) < s.BroadcastSeconds * 1000)
        {
            await driver.InvokeAsync("React", Json(s.Session, "like"));
            reactions++;
            await Task.Delay(20);
        }
        return reactions;
    }

    private async Task<int> BaselineBroadcastAsync(string query)
    {
        using var response = await baselineHttp!.PostAsync("/broadcast?" + query, null);
        response.EnsureSuccessStatusCode();
        return 1;
    }

    // 3. vote to screen ------------------------------------------------------------------------

    /// <summary>From a vote's acknowledgement to its total shown at the last viewer (of any node).</summary>
    private async Task VoteToScreenAsync(HubClient organizer, string[] members)
    {
        var roundId = await OpenRoundAsync(organizer, "Audience choice", ["A", "B", "C"], showTally: true, "screen");
        await using var voters = new Connections(await ConnectAsync(s.ScreenVotes, i => platform.Port(i), i => members[i + 1], join: false, watch: false));
        await Task.Delay(1000);
        await fleet.ArmScreenAsync(Ours, s.ScreenVotes);
        var acks = new long[s.ScreenVotes + 1];
        for (var i = 0; i < s.ScreenVotes; i++)
        {
            var ok = Ok(await voters.All[i].InvokeAsync("CastVote", Json(roundId, "a", "screen-" + i)), out var ack);
            report.Check(ok, $"vote to screen: vote {i} refused: {ack}");
            acks[i + 1] = Now;
            await Task.Delay(250);
        }
        // Until every viewer saw every total, at most 15 s.
        ScreenSeen seen;
        var waiting = Now;
        do
        {
            await Task.Delay(500);
            seen = await fleet.ScreenSeenAsync(Ours);
        }
        while (seen.Unseen > 0 && Ms(waiting, Now) < 15_000);
        await fleet.IdleAsync(Ours);
        var screen = new Stats();
        for (var t = 1; t <= s.ScreenVotes; t++)
        {
            if (seen.Last[t] > 0)
            {
                screen.Add(Ms(acks[t], seen.Last[t]));
            }
        }
        var total = await CloseRoundAsync(organizer, roundId);
        report.Check(seen.Unseen == 0, $"vote to screen: {seen.Unseen} (viewer, vote) pairs never saw the vote");
        report.Check(total.GetProperty("totalVotes").GetInt64() == s.ScreenVotes, $"vote to screen: the closed round counts {total.GetProperty("totalVotes")} votes, not {s.ScreenVotes}");
        report.Add(Name("vote to screen"), $"{s.Viewers:N0} viewers{OnNodes(s.Viewers)}, {s.ScreenVotes} votes 250 ms apart{(cluster ? " cast on every node in turn" : "")}",
            $"ack to tally at the last viewer{(cluster ? " of any node" : "")}: p50 {Report.F(screen.Percentile(50))} ms, p99 {Report.F(screen.Percentile(99))} ms; {seen.Unseen} unseen; tally {total.GetProperty("totalVotes")}");
    }

    // 4. vote storm ----------------------------------------------------------------------------

    private sealed class Storm(int voters)
    {
        public readonly int Voters = voters;
        public readonly Stats Acks = new();
        public readonly ConcurrentBag<string> Wrong = [];
        public readonly int[] Recount = new int[5];
        public long VotingTicks;
        public long ArrivalTicks;
        public long Messages;
        public TimeSpan Cpu;
        public TimeSpan ServicesCpu;
        public int FirstAccepted;
        public long Tally;
        public bool TallyMatches;

        public double Seconds => VotingTicks / (double)Stopwatch.Frequency;

        public double PerSecond => Messages / Seconds;

        public double CpuPercent => Cpu.TotalSeconds / Seconds * 100;

        public double ArrivalPerSecond => Voters / (ArrivalTicks / (double)Stopwatch.Frequency);
    }

    /// <summary>
    /// Each round, a share of the voters votes on the platform in waves (into a vote round of its
    /// own, closed and recounted at the end), then the same voters, messages and lanes go to the
    /// baseline's echo. On a cluster: one round, voters spread over the nodes.
    /// </summary>
    private async Task VoteStormAsync(HubClient organizer)
    {
        var tokens = await platform.MintAsync("v", s.Voters);
        if (s.WarmUpVoters > 0)
        {
            // A server that has just started runs instrumented code and recompiles its hot methods
            // (dynamic PGO) during its first minutes: uncounted, exact-checked rounds on both servers
            // first, so the counted rounds measure a warm server, as in a finals hours after the start.
            var warm = Math.Min(s.WarmUpVoters, s.Voters);
            await PlatformStormAsync(organizer, await platform.MintAsync("w", warm), 0, warm, 0);
            if (baseline is not null)
            {
                await EchoStormAsync(0, warm);
            }
            report.Notes.Add($"Before the counted storm rounds, {warm:N0} other voters voted in a warm-up round on the platform{(baseline is null ? "" : " and on the echo")}, not counted (exactness checked).");
        }
        var ours = new List<Storm>();
        var bare = new List<Storm>();
        for (var round = 1; round <= Rounds; round++)
        {
            var from = (int)((long)s.Voters * (round - 1) / Rounds);
            var count = (int)((long)s.Voters * round / Rounds) - from;
            var o = await PlatformStormAsync(organizer, tokens, from, count, round);
            ours.Add(o);
            var b = baseline is null ? null : await EchoStormAsync(from, count);
            if (b is not null)
            {
                bare.Add(b);
                report.Check(b.Wrong.IsEmpty, $"echo storm (baseline) round {round}: {b.Wrong.Count} messages not echoed (e.g. {b.Wrong.FirstOrDefault()})");
            }
            votesPerSecond.Add(new(o.PerSecond, b?.PerSecond ?? double.NaN));
            ackP99.Add(new(o.Acks.Percentile(99), b?.Acks.Percentile(99) ?? double.NaN));
        }
        var perRound = Rounds > 1 ? $", in {Rounds} rounds of {Report.F(s.Voters / (double)Rounds)} voters (a vote round each)" : "";
        var recount = ours.All(o => o.TallyMatches)
            ? "recount equal" + (Rounds > 1 ? " in every round" : "")
            : "recount DIFFERENT in round " + string.Join(", ", ours.Select((o, i) => (o, i)).Where(p => !p.o.TallyMatches).Select(p => p.i + 1));
        report.Add(Name(s.StormChoices > 1 ? $"vote storm, {s.StormChoices} choices a ballot" : "vote storm"), $"{s.Voters:N0} voters x {s.VotesPerVoter} messages (retries, a change of mind){OnNodes(s.Voters)}, joined in waves of {Math.Min(s.VoteWave, s.Voters):N0}, {s.VoteLanes:N0} voting at once{perRound}",
            $"{Report.Spread(ours.Select(o => o.PerSecond).ToArray())} votes/s over {Report.F(ours.Sum(o => o.Seconds), 1)} s of voting (voters arrived at {Report.Spread(ours.Select(o => o.ArrivalPerSecond).ToArray())}/s, not counted); " +
            $"ack p50 {Report.Spread(ours.Select(o => o.Acks.Percentile(50)).ToArray(), 1)} ms, p99 {Report.Spread(ours.Select(o => o.Acks.Percentile(99)).ToArray(), 1)} ms; " +
            $"accepted {ours.Sum(o => o.FirstAccepted):N0}, tally {ours.Sum(o => o.Tally):N0} ({recount}); {(cluster ? "nodes'" : "server")} CPU {Report.Spread(ours.Select(o => o.CpuPercent).ToArray(), 1)}%" +
            (cluster ? $", Redis and PostgreSQL {Report.F(Percent(ours.Aggregate(TimeSpan.Zero, (a, o) => a + o.ServicesCpu), ours.Sum(o => o.Seconds)), 1)}%" : ""));
        if (baseline is not null)
        {
            report.Add("echo storm (baseline)", $"the same voters, messages ({VoteEcho.Length} B) and lanes, on {Math.Min(s.VoteWave, s.Voters):N0} sockets, each message awaiting its echo, after each platform round",
                $"{Report.Spread(bare.Select(b => b.PerSecond).ToArray())} messages/s; round trip p50 {Report.Spread(bare.Select(b => b.Acks.Percentile(50)).ToArray(), 1)} ms, p99 {Report.Spread(bare.Select(b => b.Acks.Percentile(99)).ToArray(), 1)} ms; server CPU {Report.Spread(bare.Select(b => b.CpuPercent).ToArray(), 1)}%", "",
                $"votes/s ours/baseline {Report.RatioSpread(votesPerSecond)}; ack p99 ours/baseline {Report.RatioSpread(ackP99)}");
        }
    }

    /// <summary>
    /// Voters are on the watch page when the round opens, as in the finals: each wave connects and
    /// joins first (the arrival, timed apart), then votes; only the voting is timed. Waves exist
    /// because one process holds at most ~19,000 sockets here.
    /// </summary>
    private async Task<Storm> PlatformStormAsync(HubClient organizer, string[] tokens, int from, int count, int round)
    {
        var roundId = await OpenRoundAsync(organizer, "Grand prize", s.StormChoices > 1 ? ["A", "B", "C", "D", "E"] : ["A", "B", "C", "D"], showTally: false, round == 0 ? "storm-warm-up" : $"storm-{round}", s.StormChoices);
        var storm = new Storm(count);
        for (var waveStart = from; waveStart < from + count; waveStart += s.VoteWave)
        {
            var first = waveStart;
            var size = Math.Min(s.VoteWave, from + count - first);
            var arriving = Now;
            await using var wave = new Connections(await ConnectAsync(size, i => platform.Port(first + i), i => tokens[first + i], join: true, watch: false));
            storm.ArrivalTicks += Now - arriving;
            var services = platform.ServicesCpuTime();
            await VoteWaveAsync(storm, wave.All, first, size, platform, (voter, i, k) => CastAsync(voter, roundId, i, k, storm));
            storm.ServicesCpu += platform.ServicesCpuTime() - services;
        }
        var closed = await CloseRoundAsync(organizer, roundId);
        storm.Tally = closed.GetProperty("totalVotes").GetInt64();
        storm.TallyMatches = closed.GetProperty("options").EnumerateArray().All(o => o.GetProperty("votes").GetInt64() == storm.Recount[o.GetProperty("id").GetString()![0] - 'a']);
        report.Check(storm.FirstAccepted == count && storm.Tally == count && storm.TallyMatches && storm.Wrong.IsEmpty,
            $"vote storm {(round == 0 ? "warm-up round" : $"round {round}")}: {storm.FirstAccepted} of {count} first votes accepted, tally {storm.Tally}, per option {(storm.TallyMatches ? "matches" : "differs from")} the recount, {storm.Wrong.Count} wrong answers (e.g. {storm.Wrong.FirstOrDefault()})");
        return storm;
    }

    /// <summary>The baseline's side of a round: the same voters in the same waves, on as many sockets as a wave (connected once per round).</summary>
    private async Task<Storm> EchoStormAsync(int from, int count)
    {
        var storm = new Storm(count);
        await using var sockets = new Connections(await ConnectAsync(Math.Min(s.VoteWave, count), _ => baseline!.Port, _ => null, join: false, watch: false));
        for (var waveStart = from; waveStart < from + count; waveStart += s.VoteWave)
        {
            await VoteWaveAsync(storm, sockets.All, waveStart, Math.Min(s.VoteWave, from + count - waveStart), baseline!, async (socket, _, _) =>
            {
                await socket.InvokeEchoAsync(VoteEcho);
                return null;
            });
        }
        return storm;
    }

    /// <summary>
    /// One wave of the storm, the same shape on either server: <c>--vote-lanes</c> voters at a
    /// time, voter w on socket w, each sending its <c>--votes-per-voter</c> messages one after
    /// another and awaiting every answer. <paramref name="cast"/> sends message k of voter i and
    /// says what was wrong with the answer, if anything.
    /// </summary>
    private async Task VoteWaveAsync(Storm storm, IReadOnlyList<HubClient> sockets, int firstVoter, int count, IMeasured server, Func<HubClient, int, int, Task<string?>> cast)
    {
        var next = -1;
        var cpu = server.CpuTime();
        var started = Now;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(s.VoteLanes, count)).Select(async _ =>
        {
            while (true)
            {
                var w = Interlocked.Increment(ref next);
                if (w >= count)
                {
                    return;
                }
                for (var k = 0; k < s.VotesPerVoter; k++)
                {
                    var sent = Now;
                    string? wrong;
                    try
                    {
                        wrong = await cast(sockets[w], firstVoter + w, k);
                    }
                    catch (Exception e)
                    {
                        wrong = $"voter {firstVoter + w} message {k}: {e.Message}";
                    }
                    storm.Acks.Add(Ms(sent, Now));
                    Interlocked.Increment(ref storm.Messages);
                    if (wrong is not null)
                    {
                        storm.Wrong.Add(wrong);
                    }
                }
            }
        }));
        storm.VotingTicks += Now - started;
        storm.Cpu += server.CpuTime() - cpu;
    }

    /// <summary>Message k of voter i: the original, retries of it with the same id, and (second to last) a change of mind with a new id, which must answer "already_voted".</summary>
    private async Task<string?> CastAsync(HubClient voter, string roundId, int i, int k, Storm storm)
    {
        if (s.StormChoices > 1)
        {
            return await CastBallotAsync(voter, roundId, i, k, storm);
        }
        var option = "abcd"[i % 4].ToString();
        var changeOfMind = k == s.VotesPerVoter - 2;
        var id = changeOfMind ? $"other-{i}" : $"vote-{i}";
        var choice = changeOfMind ? (option == "a" ? "b" : "a") : option;
        if (!Ok(await voter.InvokeAsync("CastVote", Json(roundId, choice, id)), out var ack))
        {
            return $"voter {i}: {ack}";
        }
        var status = ack.GetProperty("status").GetString();
        var counted = ack.GetProperty("optionId").GetString();
        if (k == 0 && status == "accepted")
        {
            Interlocked.Increment(ref storm.FirstAccepted);
            Interlocked.Increment(ref storm.Recount[option[0] - 'a']);
        }
        return counted != option || status != (changeOfMind ? "already_voted" : "accepted") ? $"voter {i} vote {k}: {status} {counted}" : null;
    }

    /// <summary>
    /// The multi-choice storm's message k of voter i: a ballot of <c>--storm-choices</c> distinct
    /// options of five (voter i starts at option i mod 5), its retries, and a change of mind (the
    /// next set) that must answer "already_voted" with the first ballot.
    /// </summary>
    private async Task<string?> CastBallotAsync(HubClient voter, string roundId, int i, int k, Storm storm)
    {
        static string[] Set(int start, int n) => Enumerable.Range(0, n).Select(j => ((start + j) % 5)).Order().Select(j => "abcde"[j].ToString()).ToArray();
        var ballot = Set(i % 5, s.StormChoices);
        var changeOfMind = k == s.VotesPerVoter - 2;
        var sent = changeOfMind ? Set(i % 5 + 1, s.StormChoices) : ballot;
        if (!Ok(await voter.InvokeAsync("CastBallot", Json(roundId, sent, changeOfMind ? $"other-{i}" : $"vote-{i}")), out var ack))
        {
            return $"voter {i}: {ack}";
        }
        var status = ack.GetProperty("status").GetString();
        var counted = ack.GetProperty("optionId").GetString();
        if (k == 0 && status == "accepted")
        {
            Interlocked.Increment(ref storm.FirstAccepted);
            foreach (var option in ballot)
            {
                Interlocked.Increment(ref storm.Recount[option[0] - 'a']);
            }
        }
        return counted != string.Join(',', ballot) || status != (changeOfMind ? "already_voted" : "accepted") ? $"voter {i} ballot {k}: {status} {counted}" : null;
    }

    // 5. chat storm ----------------------------------------------------------------------------

    private sealed record Chat(double Seconds, long Sent, long Delivered, long Expected, Stats Latency)
    {
        public long Missing => Math.Max(0, Expected - Delivered);
    }

    /// <summary>
    /// Senders post at a fixed rate to the joined chat viewers (the senders see their own
    /// messages too); then as many senders post at the same rate to a bare coalescing fan-out (the
    /// baseline server acknowledges at once and sends what arrived to as many viewers, at most one
    /// update per tick). Alternated <c>--rounds</c> times; both latencies are send to screen, so the
    /// ratio is what the platform adds to what this machine (and this generator) costs anyway.
    /// </summary>
    private async Task ChatStormAsync(string[] members)
    {
        await using var viewers = new Connections(await ConnectAsync(s.ChatViewers, i => platform.Port(i), _ => null, join: true, watch: true));
        await using var senders = new Connections(await ConnectAsync(s.ChatSenders, i => platform.Port(i), i => members[i], join: true, watch: true));
        await using var bareViewers = new Connections(baseline is null ? [] : await ConnectAsync(s.ChatViewers, _ => baseline.Port, _ => null, join: false, watch: true, bareAudience));
        await using var bareSenders = new Connections(baseline is null ? [] : await ConnectAsync(s.ChatSenders, _ => baseline.Port, _ => null, join: false, watch: false));
        foreach (var v in bareViewers.All)
        {
            await v.SendFrameAsync(BareWatch);
        }
        await Task.Delay(1000);
        var everyone = viewers.All.Concat(senders.All).ToArray();
        var ours = new List<Chat>();
        var bare = new List<Chat>();
        for (var round = 1; round <= Rounds; round++)
        {
            var o = await ChatPhaseAsync(senders.All, everyone, round);
            ours.Add(o);
            report.Check(o.Delivered == o.Expected, $"chat storm round {round}: {o.Expected - o.Delivered} of {o.Expected} deliveries missing");
            var b = baseline is null ? null : await BareChatPhaseAsync(bareSenders.All, bareViewers.All, round);
            if (b is not null)
            {
                bare.Add(b);
                report.Check(b.Delivered == b.Expected, $"chat fan-out baseline round {round}: {b.Expected - b.Delivered} of {b.Expected} deliveries missing");
            }
            chatP99.Add(new(o.Latency.Percentile(99), b?.Latency.Percentile(99) ?? double.NaN));
        }
        var extra = ours.Sum(o => Math.Max(0, o.Delivered - o.Expected));
        report.Add(Name("chat storm"), $"{s.ChatSenders} senders x {s.ChatPerSenderPerSecond}/s to {s.ChatViewers:N0} viewers{OnNodes(s.ChatViewers)} for {s.ChatSeconds} s{PerRound}",
            $"{Report.Spread(ours.Select(o => o.Sent / o.Seconds).ToArray())} messages/s in, {Report.Spread(ours.Select(o => o.Delivered / o.Seconds).ToArray())} deliveries/s out ({ours.Sum(o => o.Missing)} missing{(extra > 0 ? $", {extra} extra" : "")}); " +
            $"send to screen p50 {Report.Spread(ours.Select(o => o.Latency.Percentile(50)).ToArray())} ms, p99 {Report.Spread(ours.Select(o => o.Latency.Percentile(99)).ToArray())} ms");
        if (baseline is not null)
        {
            report.Add("chat fan-out (baseline)", $"{s.ChatSenders} sockets x {s.ChatPerSenderPerSecond}/s to {s.ChatViewers:N0} bare sockets, acknowledged at once, coalesced per 200 ms, after each platform round",
                $"{Report.Spread(bare.Select(b => b.Delivered / b.Seconds).ToArray())} deliveries/s out ({bare.Sum(b => b.Missing)} missing); send to screen p50 {Report.Spread(bare.Select(b => b.Latency.Percentile(50)).ToArray())} ms, p99 {Report.Spread(bare.Select(b => b.Latency.Percentile(99)).ToArray())} ms", "",
                "chat p99 ours/baseline " + Report.RatioSpread(chatP99));
        }
    }

    private static readonly byte[] BareWatch = Encoding.UTF8.GetBytes("{\"type\":1,\"target\":\"Watch\",\"arguments\":[]}\u001e");

    /// <summary>The platform's chat: each message a SendChat that must be acknowledged.</summary>
    private Task<Chat> ChatPhaseAsync(HubClient[] senders, HubClient[] everyone, int round) =>
        ChatRoundAsync(senders, everyone, audience, $"chat storm round {round}", async (c, i, n) =>
            // The id is new in every round: a repeated one would be taken for a retry.
            Ok(await c.InvokeAsync("SendChat", Json(s.Session, "t" + Now, $"c{round}-{i}-{n}")), out var ack) ? null : ack.ToString());

    /// <summary>The bare fan-out's chat: each message a Chat frame that the bare server answers at once.</summary>
    private Task<Chat> BareChatPhaseAsync(HubClient[] senders, HubClient[] viewers, int round) =>
        ChatRoundAsync(senders, viewers, bareAudience, $"chat fan-out baseline round {round}", async (c, _, _) =>
        {
            await c.InvokeEchoAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"Chat\",\"arguments\":[\"t{Now}\"]}}\u001e"));
            return null;
        });

    /// <summary>
    /// One paced chat phase: <paramref name="send"/> sends message n of sender i and says what was
    /// wrong with its answer, if anything; then waits for the deliveries to <paramref name="viewers"/>.
    /// </summary>
    private async Task<Chat> ChatRoundAsync(HubClient[] senders, HubClient[] viewers, ViewerGroup group, string what, Func<HubClient, int, int, Task<string?>> send)
    {
        Reset(viewers, group);
        var acked = 0;
        var failures = new ConcurrentBag<string>();
        var seconds = await PacedAsync(senders, async (c, i, n) =>
        {
            try
            {
                if (await send(c, i, n) is { } wrong)
                {
                    failures.Add(wrong);
                }
                else
                {
                    Interlocked.Increment(ref acked);
                }
            }
            catch (Exception e)
            {
                failures.Add(e.Message);
            }
        });
        var expected = (long)acked * viewers.Length;
        var delivered = await DeliveredAsync(viewers, expected, group);
        report.Check(failures.IsEmpty, $"{what}: {failures.Count} messages refused or unanswered (e.g. {failures.FirstOrDefault()})");
        return new Chat(seconds, acked, delivered, expected, group.ChatLatency);
    }

    private static void Reset(HubClient[] clients, ViewerGroup group)
    {
        foreach (var c in clients)
        {
            ((ViewerState)c.Tag!).Reset();
        }
        group.ChatLatency = new Stats();
        group.Phase = ViewerPhase.Chat;
    }

    /// <summary>At least 2 s, then until every message reached everyone or nothing arrived for 3 s, at most 30 s; the group goes idle.</summary>
    private static async Task<long> DeliveredAsync(HubClient[] clients, long expected, ViewerGroup group)
    {
        long Delivered() => clients.Sum(c => Interlocked.Read(ref ((ViewerState)c.Tag!).ChatItems));
        var stopped = Now;
        await Task.Delay(2000);
        var quietSince = Now;
        var last = -1L;
        while (Delivered() < expected && Ms(quietSince, Now) < 3000 && Ms(stopped, Now) < 30_000)
        {
            if (Delivered() != last)
            {
                last = Delivered();
                quietSince = Now;
            }
            await Task.Delay(250);
        }
        group.Phase = ViewerPhase.Idle;
        return Delivered();
    }

    /// <summary>Every sender sends <c>--chat-per-sender-per-second</c> messages a second for <c>--chat-seconds</c>, each after the previous one's answer: the same shape for the platform's chat and the baseline's echo.</summary>
    private async Task<double> PacedAsync(HubClient[] senders, Func<HubClient, int, int, Task> send)
    {
        var start = Now;
        var interval = 1000.0 / s.ChatPerSenderPerSecond;
        await Task.WhenAll(senders.Select(async (c, i) =>
        {
            var n = 0;
            while (Ms(start, Now) < s.ChatSeconds * 1000)
            {
                await send(c, i, n);
                n++;
                var wait = n * interval - Ms(start, Now);
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait));
                }
            }
        }));
        return Ms(start, Now) / 1000;
    }

    // -------------------------------------------------------------------------------------------

    private void AddRoundsTable()
    {
        if (baseline is null || Rounds < 2)
        {
            return;
        }
        static string Cell(IReadOnlyList<Paired> pairs, int i, int decimals) =>
            i < pairs.Count ? $"{Report.F(pairs[i].Ours, decimals)} / {Report.F(pairs[i].Baseline, decimals)} = {Report.R(pairs[i].Ratio)}" : "";
        for (var i = 0; i < Rounds; i++)
        {
            report.AddRound(["memory/connection (KiB)", "CPU/delivery (µs)", "votes/s", "ack p99 (ms)", "chat p99 (ms)", "HLS CPU/request (µs)"],
                [Cell(memory, i, 1), Cell(cpuPerDelivery, i, 1), Cell(votesPerSecond, i, 0), Cell(ackP99, i, 1), Cell(chatP99, i, 1), Cell(hlsCpuPerRequest, i, 1)]);
        }
    }

    /// <summary>Connections this process holds, closed together at the end of a scenario.</summary>
    private sealed class Connections(HubClient[] all) : IAsyncDisposable
    {
        public HubClient[] All { get; } = all;

        public async ValueTask DisposeAsync() => await HubClient.DisposeAllAsync(All);
    }

    /// <summary>Connects (and joins) from this process; <paramref name="watch"/> counts what each receives into <see cref="audience"/>.</summary>
    private async Task<HubClient[]> ConnectAsync(int count, Func<int, int> port, Func<int, string?> token, bool join, bool watch, ViewerGroup? group = null)
    {
        var clients = new HubClient[count];
        using var gate = new SemaphoreSlim(s.ConnectParallelism);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var c = await HubClient.ConnectAsync(loopback, port(i), token(i), watch ? (group ?? audience).OnUpdate : null, timeout.Token);
                c.Tag = new ViewerState();
                clients[i] = c;
                if (join && !Ok(await c.InvokeAsync("JoinSession", Json(s.Session)), out var refused))
                {
                    throw new InvalidOperationException("JoinSession refused: " + refused);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return clients;
    }

    private async Task<HubClient> ConnectOneAsync(int port, string token, bool join) => (await ConnectAsync(1, _ => port, _ => token, join, watch: false))[0];

    private async Task<string> OpenRoundAsync(HubClient organizer, string question, string[] options, bool showTally, string commandId, int maxChoices = 1)
    {
        if (!Ok(await organizer.InvokeAsync("OpenRound", Json(s.Session, new { question, options, showTally, verifiedOnly = false, clientCommandId = commandId, maxChoices })), out var round))
        {
            throw new InvalidOperationException("OpenRound refused: " + round);
        }
        return round.GetProperty("roundId").GetString()!;
    }

    private static async Task<JsonElement> CloseRoundAsync(HubClient organizer, string roundId) =>
        Ok(await organizer.InvokeAsync("CloseRound", Json(roundId)), out var closed) ? closed : throw new InvalidOperationException("CloseRound refused: " + closed);

    private static double Percent(TimeSpan used, double seconds) => used.TotalMilliseconds / (seconds * 1000) * 100;

    private static bool Ok(string completion, out JsonElement value)
    {
        using var doc = JsonDocument.Parse(completion);
        var result = doc.RootElement.GetProperty("result");
        var ok = result.GetProperty("ok").GetBoolean();
        value = ok && result.TryGetProperty("value", out var v) ? v.Clone() : result.Clone();
        return ok;
    }

    private static string Json(params object?[] args) => JsonSerializer.Serialize(args);
}
