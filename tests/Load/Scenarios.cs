using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Events.Load;

/// <summary>
/// The benchmark's scenarios, run first against the platform and then against the bare baseline
/// with the same generator and payload sizes. Correctness is checked, not just speed: every
/// broadcast received, every voter counted exactly once, every chat message delivered.
/// </summary>
public sealed class Scenarios(Settings s, Report report)
{
    private readonly Loopback loopback = new(s.SourceAddresses);
    private double platformUpdateBytes = 200;
    private double platformDeliveriesPerSecond = double.NaN;
    private double platformBytesPerConnection = double.NaN;
    private double platformChatP99 = double.NaN;
    private int platformBroadcastFrames;
    private double platformCpuPerDeliveryUs = double.NaN;
    private double platformVotesPerSecond = double.NaN;
    private double platformVoteAckP99 = double.NaN;

    private static long Now => Stopwatch.GetTimestamp();

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    /// <summary>What one viewer saw; updated by its receive loop.</summary>
    private sealed class Viewer
    {
        public long LastSeq = -1;
        public long StartSeq;
        public long Received;
        public long Bytes;
        public long MaxTotal;
        public long[]? FirstSeenTotal;
        public long ChatItems;
    }

    private volatile string phase = "join";
    private readonly Stats chatLatency = new();

    private void OnUpdate(HubClient client, ReadOnlyMemory<byte> message)
    {
        var v = (Viewer?)client.Tag;
        if (v is null)
        {
            return;
        }
        var span = message.Span;
        var seq = HubClient.Number(span, "\"seq\":"u8);
        Interlocked.Exchange(ref v.LastSeq, Math.Max(v.LastSeq, seq));
        Interlocked.Increment(ref v.Received);
        Interlocked.Add(ref v.Bytes, span.Length + 1);
        switch (phase)
        {
            case "screen":
                var total = HubClient.Number(span, "\"totalVotes\":"u8);
                if (total > v.MaxTotal && v.FirstSeenTotal is { } seen)
                {
                    var now = Now;
                    for (var t = v.MaxTotal + 1; t <= total && t < seen.Length; t++)
                    {
                        seen[t] = now;
                    }
                    v.MaxTotal = total;
                }
                break;
            case "chat":
                var received = Now;
                var rest = span;
                while (true)
                {
                    var at = rest.IndexOf("\"text\":\"t"u8);
                    if (at < 0)
                    {
                        break;
                    }
                    rest = rest[(at + 9)..];
                    if (System.Buffers.Text.Utf8Parser.TryParse(rest, out long sentAt, out _))
                    {
                        chatLatency.Add(Ms(sentAt, received));
                        Interlocked.Increment(ref v.ChatItems);
                    }
                }
                break;
        }
    }

    private async Task<HubClient[]> ConnectAsync(int port, int count, Func<int, string?> token, Func<HubClient, int, Task>? then = null)
    {
        var clients = new HubClient[count];
        using var gate = new SemaphoreSlim(s.ConnectParallelism);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                clients[i] = await HubClient.ConnectAsync(loopback, port, token(i), OnUpdate, CancellationToken.None);
                clients[i].Tag = new Viewer();
                if (then is not null)
                {
                    await then(clients[i], i);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return clients;
    }

    private static async Task DisposeAllAsync(IEnumerable<HubClient> clients)
    {
        foreach (var chunk in clients.Chunk(1000))
        {
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Keeps idle connections alive the way real clients do: a ping every 10 s, spread out.</summary>
    private static async Task PingAsync(IReadOnlyList<HubClient> clients, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Now;
                foreach (var chunk in clients.Chunk(500))
                {
                    await Task.WhenAll(chunk.Where(c => !c.Closed).Select(async c =>
                    {
                        try
                        {
                            await c.PingAsync();
                        }
                        catch (Exception)
                        {
                            // Seen as a drop.
                        }
                    }));
                }
                var left = 10_000 - Ms(started, Now);
                if (left > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(left), stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<string[]> MintAsync(HttpClient http, string prefix, int count, params string[] roles)
    {
        var tokens = new List<string>(count);
        for (var from = 0; from < count; from += 20_000)
        {
            var n = Math.Min(20_000, count - from);
            var response = await http.PostAsJsonAsync("/bench/tokens", new { prefix, from, count = n, roles });
            response.EnsureSuccessStatusCode();
            tokens.AddRange((await response.Content.ReadFromJsonAsync<string[]>())!);
        }
        return tokens.ToArray();
    }

    private static bool Ok(string completion, out JsonElement value)
    {
        using var doc = JsonDocument.Parse(completion);
        var result = doc.RootElement.GetProperty("result");
        var ok = result.GetProperty("ok").GetBoolean();
        value = ok && result.TryGetProperty("value", out var v) ? v.Clone() : result.Clone();
        return ok;
    }

    private static string Json(params object?[] args) => JsonSerializer.Serialize(args);

    // ---------------------------------------------------------------------------------------

    public async Task RunPlatformAsync()
    {
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "events-bench-" + Guid.NewGuid().ToString("N"));
        var unlimited = new Dictionary<string, string>
        {
            ["Benchmark__Enabled"] = "true",
            ["Data__Path"] = data,
            ["Live__Tick"] = s.Tick,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Error",
        };
        foreach (var bucket in new[] { "Chat", "Vote", "React", "Join", "Moderate" })
        {
            unlimited[$"RateLimits__{bucket}__Burst"] = "1000000";
            unlimited[$"RateLimits__{bucket}__PerSecond"] = "1000000";
        }
        await using var server = await ServerProcess.StartAsync(s.ServerCore, s.WebDll, $"--urls http://127.0.0.1:{port} --environment Benchmark", port, unlimited, s.Repository);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        var organizer = (await MintAsync(http, "org", 1, "Organizer"))[0];
        var members = await MintAsync(http, "m", Math.Max(s.ChatSenders, s.ScreenVotes) + 1);

        // 1. hold ------------------------------------------------------------------------------
        var rssBefore = server.Rss();
        var joinedAt = Now;
        var viewers = await ConnectAsync(port, s.Viewers, _ => null, async (c, _) =>
        {
            if (!Ok(await c.InvokeAsync("JoinSession", Json(s.Session)), out var snap))
            {
                throw new InvalidOperationException("JoinSession refused: " + snap);
            }
            var v = (Viewer)c.Tag!;
            Interlocked.Exchange(ref v.LastSeq, Math.Max(v.LastSeq, snap.GetProperty("seq").GetInt64()));
        });
        var joinSeconds = Ms(joinedAt, Now) / 1000;
        using var stopPing = new CancellationTokenSource();
        var pinging = PingAsync(viewers, stopPing.Token);
        var cpu0 = server.CpuTime();
        var held = Now;
        await Task.Delay(TimeSpan.FromSeconds(s.HoldSeconds));
        var holdCpu = (server.CpuTime() - cpu0).TotalMilliseconds / Ms(held, Now) * 100;
        var dropped = viewers.Count(c => c.Closed);
        platformBytesPerConnection = (server.Rss() - rssBefore) / (double)s.Viewers;
        report.Check(dropped == 0, $"hold: {dropped} of {s.Viewers} viewers were dropped");
        report.Add("hold", $"{s.Viewers:N0} viewers joined, idle {s.HoldSeconds} s",
            $"joined in {Report.F(joinSeconds, 1)} s ({Report.F(s.Viewers / joinSeconds)}/s); drops {dropped}; server memory {Report.F(platformBytesPerConnection / 1024, 1)} KiB/connection; server CPU idle {Report.F(holdCpu, 1)}%");

        // 2. broadcast: a member reacting keeps every tick busy --------------------------------
        var driverClient = (await ConnectAsync(port, 1, _ => members[0]))[0];
        Ok(await driverClient.InvokeAsync("JoinSession", Json(s.Session)), out _);
        await Task.Delay(1000);
        foreach (var c in viewers)
        {
            var v = (Viewer)c.Tag!;
            v.StartSeq = Interlocked.Read(ref v.LastSeq);
            v.Received = 0;
            v.Bytes = 0;
        }
        phase = "broadcast";
        var cpu1 = server.CpuTime();
        var started = Now;
        var reactions = 0;
        while (Ms(started, Now) < s.BroadcastSeconds * 1000)
        {
            await driverClient.InvokeAsync("React", Json(s.Session, "like"));
            reactions++;
            await Task.Delay(20);
        }
        var sendSeconds = Ms(started, Now) / 1000;
        var broadcastCpu = (server.CpuTime() - cpu1).TotalMilliseconds / (sendSeconds * 1000) * 100;
        await Task.Delay(3000);
        var maxSeq = viewers.Max(c => ((Viewer)c.Tag!).LastSeq);
        long expected = 0, received = 0, bytes = 0;
        foreach (var c in viewers)
        {
            var v = (Viewer)c.Tag!;
            expected += maxSeq - v.StartSeq;
            received += v.Received;
            bytes += v.Bytes;
        }
        platformBroadcastFrames = (int)(maxSeq - viewers.Min(c => ((Viewer)c.Tag!).StartSeq));
        platformUpdateBytes = received > 0 ? bytes / (double)received : 200;
        platformDeliveriesPerSecond = received / sendSeconds;
        platformCpuPerDeliveryUs = received > 0 ? broadcastCpu / 100 * sendSeconds * 1e6 / received : double.NaN;
        report.Check(received == expected, $"broadcast: {expected - received} of {expected} updates lost");
        report.Add("broadcast", $"{s.Viewers:N0} viewers, tick {s.Tick}, {reactions} reactions over {Report.F(sendSeconds, 1)} s",
            $"{Report.F(platformDeliveriesPerSecond)} deliveries/s; {received:N0} received of {expected:N0} sent ({expected - received} lost); {Report.F(platformUpdateBytes)} B/update; server CPU {Report.F(broadcastCpu, 1)}% = {Report.F(platformCpuPerDeliveryUs, 1)} µs/delivery");

        // 3. vote to screen: from a vote's acknowledgement to the tally at the last viewer -----
        var organizerClient = (await ConnectAsync(port, 1, _ => organizer))[0];
        Ok(await organizerClient.InvokeAsync("JoinSession", Json(s.Session)), out _);
        Ok(await organizerClient.InvokeAsync("OpenRound", Json(s.Session, new { question = "Audience choice", options = new[] { "A", "B", "C" }, showTally = true, verifiedOnly = false, clientCommandId = "screen" })), out var screenRound);
        var screenRoundId = screenRound.GetProperty("roundId").GetString()!;
        await Task.Delay(1000);
        foreach (var c in viewers)
        {
            var v = (Viewer)c.Tag!;
            v.FirstSeenTotal = new long[s.ScreenVotes + 1];
            v.MaxTotal = 0;
        }
        phase = "screen";
        var screenVoters = await ConnectAsync(port, s.ScreenVotes, i => members[i + 1]);
        var acks = new long[s.ScreenVotes + 1];
        for (var i = 0; i < s.ScreenVotes; i++)
        {
            Ok(await screenVoters[i].InvokeAsync("CastVote", Json(screenRoundId, "a", "screen-" + i)), out _);
            acks[i + 1] = Now;
            await Task.Delay(250);
        }
        await Task.Delay(3000);
        phase = "idle";
        var screen = new Stats();
        var unseen = 0;
        for (var t = 1; t <= s.ScreenVotes; t++)
        {
            long last = 0;
            foreach (var c in viewers)
            {
                var seenAt = ((Viewer)c.Tag!).FirstSeenTotal![t];
                if (seenAt == 0)
                {
                    unseen++;
                }
                last = Math.Max(last, seenAt);
            }
            screen.Add(Ms(acks[t], last));
        }
        report.Check(unseen == 0, $"vote to screen: {unseen} (viewer, vote) pairs never saw the vote");
        report.Add("vote to screen", $"{s.Viewers:N0} viewers, {s.ScreenVotes} votes 250 ms apart",
            $"ack to tally at the last viewer: p50 {Report.F(screen.Percentile(50))} ms, p99 {Report.F(screen.Percentile(99))} ms");
        await DisposeAllAsync(screenVoters);

        stopPing.Cancel();
        await pinging;
        await DisposeAllAsync(viewers);
        phase = "idle";

        // 4. vote storm ------------------------------------------------------------------------
        Ok(await organizerClient.InvokeAsync("OpenRound", Json(s.Session, new { question = "Grand prize", options = new[] { "A", "B", "C", "D" }, showTally = false, verifiedOnly = false, clientCommandId = "storm" })), out var stormRound);
        var stormRoundId = stormRound.GetProperty("roundId").GetString()!;
        var voterTokens = await MintAsync(http, "v", s.Voters);
        var ackLatency = new Stats();
        var firstAccepted = 0;
        var wrong = new ConcurrentBag<string>();
        var expectedTally = new int[4];
        var messages = 0L;
        var cpu2 = TimeSpan.Zero;
        var stormTicks = 0L;
        var arrivalTicks = 0L;
        // Voters are on the watch page when the round opens, as in the finals: each wave of
        // voters connects and joins first (the arrival, timed apart), then votes; only the voting
        // is timed. Waves exist because one process holds at most ~19,000 sockets here.
        for (var waveStart = 0; waveStart < s.Voters; waveStart += s.VoteWave)
        {
            var waveSize = Math.Min(s.VoteWave, s.Voters - waveStart);
            var arriving = Now;
            var wave = await ConnectAsync(port, waveSize, i => voterTokens[waveStart + i], async (c, _) => Ok(await c.InvokeAsync("JoinSession", Json(s.Session)), out var _));
            arrivalTicks += Now - arriving;
            var next = -1;
            var waveCpu = server.CpuTime();
            var voting = Now;
            await Task.WhenAll(Enumerable.Range(0, Math.Min(s.VoteLanes, waveSize)).Select(async _ =>
            {
                while (true)
                {
                    var w = Interlocked.Increment(ref next);
                    if (w >= waveSize)
                    {
                        return;
                    }
                    var i = waveStart + w;
                    var voter = wave[w];
                    var option = "abcd"[i % 4].ToString();
                    for (var k = 0; k < s.VotesPerVoter; k++)
                    {
                        // Original, retries of it, and (second to last) a change of mind with a new id.
                        var changeOfMind = k == s.VotesPerVoter - 2;
                        var id = changeOfMind ? $"other-{i}" : $"vote-{i}";
                        var choice = changeOfMind ? (option == "a" ? "b" : "a") : option;
                        var sent = Now;
                        var completion = await voter.InvokeAsync("CastVote", Json(stormRoundId, choice, id));
                        ackLatency.Add(Ms(sent, Now));
                        Interlocked.Increment(ref messages);
                        if (!Ok(completion, out var ack))
                        {
                            wrong.Add($"voter {i}: {ack}");
                            continue;
                        }
                        var status = ack.GetProperty("status").GetString();
                        var counted = ack.GetProperty("optionId").GetString();
                        if (k == 0 && status == "accepted")
                        {
                            Interlocked.Increment(ref firstAccepted);
                            Interlocked.Increment(ref expectedTally[option[0] - 'a']);
                        }
                        if (counted != option || status != (changeOfMind ? "already_voted" : "accepted"))
                        {
                            wrong.Add($"voter {i} vote {k}: {status} {counted}");
                        }
                    }
                }
            }));
            stormTicks += Now - voting;
            cpu2 += server.CpuTime() - waveCpu;
            await DisposeAllAsync(wave);
        }
        var stormSeconds = Ms(0, stormTicks) / 1000;
        var stormCpu = cpu2.TotalMilliseconds / (stormSeconds * 1000) * 100;
        platformVotesPerSecond = messages / stormSeconds;
        platformVoteAckP99 = ackLatency.Percentile(99);
        Ok(await organizerClient.InvokeAsync("CloseRound", Json(stormRoundId)), out var closed);
        var tallyTotal = closed.GetProperty("totalVotes").GetInt64();
        var tallyMatches = closed.GetProperty("options").EnumerateArray().All(o => o.GetProperty("votes").GetInt64() == expectedTally[o.GetProperty("id").GetString()![0] - 'a']);
        report.Check(firstAccepted == s.Voters && tallyTotal == s.Voters && tallyMatches && wrong.IsEmpty,
            $"vote storm: {firstAccepted} first votes accepted, tally {tallyTotal}, per option {(tallyMatches ? "matches" : "differs from")} the recount, {wrong.Count} wrong answers (e.g. {wrong.FirstOrDefault()})");
        report.Add("vote storm", $"{s.Voters:N0} voters x {s.VotesPerVoter} messages (retries, a change of mind), joined in waves of {Math.Min(s.VoteWave, s.Voters):N0}, {s.VoteLanes:N0} voting at once",
            $"{Report.F(messages / stormSeconds)} votes/s over {Report.F(stormSeconds, 1)} s of voting (voters arrived at {Report.F(s.Voters / (Ms(0, arrivalTicks) / 1000))}/s, not counted); ack p50 {Report.F(ackLatency.Percentile(50), 1)} ms, p99 {Report.F(ackLatency.Percentile(99), 1)} ms; accepted {firstAccepted:N0}, tally {tallyTotal:N0} (recount {(tallyMatches ? "equal" : "DIFFERENT")}); server CPU {Report.F(stormCpu, 1)}%");

        // 5. chat storm ------------------------------------------------------------------------
        var chatViewers = await ConnectAsync(port, s.ChatViewers, _ => null, async (c, _) => Ok(await c.InvokeAsync("JoinSession", Json(s.Session)), out var _));
        var senders = await ConnectAsync(port, s.ChatSenders, i => members[i], async (c, _) => Ok(await c.InvokeAsync("JoinSession", Json(s.Session)), out var _));
        await Task.Delay(1000);
        phase = "chat";
        var acked = 0;
        var chatStart = Now;
        await Task.WhenAll(senders.Select(async (c, i) =>
        {
            var n = 0;
            var interval = 1000.0 / s.ChatPerSenderPerSecond;
            while (Ms(chatStart, Now) < s.ChatSeconds * 1000)
            {
                var text = "t" + Now;
                if (Ok(await c.InvokeAsync("SendChat", Json(s.Session, text, $"c{i}-{n++}")), out _))
                {
                    Interlocked.Increment(ref acked);
                }
                var wait = n * interval - Ms(chatStart, Now);
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait));
                }
            }
        }));
        var chatSeconds = Ms(chatStart, Now) / 1000;
        await Task.Delay(2000);
        phase = "idle";
        var delivered = chatViewers.Concat(senders).Sum(c => ((Viewer)c.Tag!).ChatItems);
        var chatExpected = (long)acked * (s.ChatViewers + s.ChatSenders);
        platformChatP99 = chatLatency.Percentile(99);
        report.Check(delivered == chatExpected, $"chat storm: {chatExpected - delivered} of {chatExpected} deliveries missing");
        report.Add("chat storm", $"{s.ChatSenders} senders x {s.ChatPerSenderPerSecond}/s to {s.ChatViewers:N0} viewers for {s.ChatSeconds} s",
            $"{Report.F(acked / chatSeconds)} messages/s in, {Report.F(delivered / chatSeconds)} deliveries/s out ({chatExpected - delivered} missing); send to screen p50 {Report.F(chatLatency.Percentile(50))} ms, p99 {Report.F(platformChatP99)} ms");
        await DisposeAllAsync(chatViewers.Concat(senders).Append(organizerClient).Append(driverClient));
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // The server may still hold a file for a moment.
        }
    }

    public async Task RunBaselineAsync()
    {
        var port = FreePort();
        await using var server = await ServerProcess.StartAsync(s.ServerCore, typeof(Scenarios).Assembly.Location, $"baseline --port {port}", port, new Dictionary<string, string>(), s.Repository);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };

        var rssBefore = server.Rss();
        var joinedAt = Now;
        var viewers = await ConnectAsync(port, s.Viewers, _ => null);
        var joinSeconds = Ms(joinedAt, Now) / 1000;
        using var stopPing = new CancellationTokenSource();
        var pinging = PingAsync(viewers, stopPing.Token);
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(s.HoldSeconds, 30)));
        var dropped = viewers.Count(c => c.Closed);
        var perConnection = (server.Rss() - rssBefore) / (double)s.Viewers;
        report.Add("hold (baseline)", $"{s.Viewers:N0} bare WebSockets",
            $"connected in {Report.F(joinSeconds, 1)} s ({Report.F(s.Viewers / joinSeconds)}/s); drops {dropped}; server memory {Report.F(perConnection / 1024, 1)} KiB/connection",
            "", "memory/connection ours/baseline " + Report.Ratio(platformBytesPerConnection, perConnection));

        // The same number of frames as the platform sent, of the platform's average size, as fast as possible.
        var frames = Math.Max(5, platformBroadcastFrames);
        phase = "broadcast";
        var expected = (long)frames * s.Viewers;
        var (seconds, received) = await BaselineBroadcastAsync(http, viewers, $"count={frames}&size={(int)platformUpdateBytes}", expected);
        var perSecond = received / seconds;
        report.Add("broadcast (baseline)", $"{s.Viewers:N0} sockets x {frames} frames of {Report.F(platformUpdateBytes)} B, flat out",
            $"{Report.F(perSecond)} deliveries/s; {expected - received} lost", "", "deliveries/s ours/baseline " + Report.Ratio(platformDeliveriesPerSecond, perSecond));

        // Paced like the platform: one frame per socket per tick. CPU per delivery is the like-for-like figure.
        var tickMs = (int)TimeSpan.Parse(s.Tick, System.Globalization.CultureInfo.InvariantCulture).TotalMilliseconds;
        var paced = Math.Max(5, s.BroadcastSeconds * 1000 / tickMs);
        var cpu = server.CpuTime();
        var pacedExpected = (long)paced * s.Viewers;
        var (pacedSeconds, pacedReceived) = await BaselineBroadcastAsync(http, viewers, $"count={paced}&size={(int)platformUpdateBytes}&intervalMs={tickMs}", pacedExpected);
        var pacedCpu = (server.CpuTime() - cpu).TotalMilliseconds / (pacedSeconds * 1000) * 100;
        var baselineUs = pacedReceived > 0 ? pacedCpu / 100 * pacedSeconds * 1e6 / pacedReceived : double.NaN;
        report.Add("broadcast paced (baseline)", $"{s.Viewers:N0} sockets x {paced} frames, one per socket every {tickMs} ms",
            $"{Report.F(pacedReceived / pacedSeconds)} deliveries/s; {pacedExpected - pacedReceived} lost; server CPU {Report.F(pacedCpu, 1)}% = {Report.F(baselineUs, 1)} µs/delivery", "",
            "CPU/delivery ours/baseline " + Report.Ratio(platformCpuPerDeliveryUs, baselineUs));

        // The vote storm's shape against the bare server: lanes of "voters", each sending its
        // messages one after another and awaiting every reply. The ceiling for acknowledged
        // messages per second on this core (one receive and one send each).
        var lanes = Math.Min(s.VoteLanes, viewers.Length);
        var stormVoters = Math.Min(s.Voters, 50_000);
        var echoAcks = new Stats();
        var echoed = 0L;
        var frame = Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"12345\",\"target\":\"CastVote\",\"arguments\":[\"r-0123456789abcdef\",\"a\",\"vote-123456\"]}\u001e");
        var echoCpu = server.CpuTime();
        var echoStormStart = Now;
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(async lane =>
        {
            // Each lane owns the sockets lane, lane + lanes, ... so no socket has two messages in flight.
            var mine = Enumerable.Range(0, viewers.Length).Where(i => i % lanes == lane).Select(i => viewers[i]).ToArray();
            for (var voter = lane; voter < stormVoters; voter += lanes)
            {
                var c = mine[voter / lanes % mine.Length];
                for (var k = 0; k < s.VotesPerVoter; k++)
                {
                    var sent = Now;
                    await c.InvokeEchoAsync(frame);
                    echoAcks.Add(Ms(sent, Now));
                    Interlocked.Increment(ref echoed);
                }
            }
        }));
        var echoStormSeconds = Ms(echoStormStart, Now) / 1000;
        var echoStormCpu = (server.CpuTime() - echoCpu).TotalMilliseconds / (echoStormSeconds * 1000) * 100;
        report.Add("echo storm (baseline)", $"{stormVoters:N0} x {s.VotesPerVoter} messages of {frame.Length} B, {lanes:N0} at once, each awaiting its reply",
            $"{Report.F(echoed / echoStormSeconds)} messages/s; round trip p50 {Report.F(echoAcks.Percentile(50), 1)} ms, p99 {Report.F(echoAcks.Percentile(99), 1)} ms; server CPU {Report.F(echoStormCpu, 1)}%", "",
            $"votes/s ours/baseline {Report.Ratio(platformVotesPerSecond, echoed / echoStormSeconds)}; ack p99 ours/baseline {Report.Ratio(platformVoteAckP99, echoAcks.Percentile(99))}");

        // Echo round trips at the chat storm's rate: the floor under our send-to-screen latency.
        stopPing.Cancel();
        await pinging;
        phase = "idle";
        var echo = new Stats();
        var echoStart = Now;
        await Task.WhenAll(viewers.Take(s.ChatSenders).Select(async c =>
        {
            var interval = 1000.0 / s.ChatPerSenderPerSecond;
            var n = 0;
            while (Ms(echoStart, Now) < s.ChatSeconds * 1000)
            {
                var sent = Now;
                await c.InvokeEchoAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"Update\",\"arguments\":[{{\"seq\":{n},\"text\":\"t{sent}\"}}]}}\u001e"));
                echo.Add(Ms(sent, Now));
                n++;
                var wait = n * interval - Ms(echoStart, Now);
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait));
                }
            }
        }));
        report.Add("echo (baseline)", $"{s.ChatSenders} sockets x {s.ChatPerSenderPerSecond}/s for {s.ChatSeconds} s",
            $"round trip p50 {Report.F(echo.Percentile(50), 2)} ms, p99 {Report.F(echo.Percentile(99), 2)} ms", "",
            "chat p99 ours/baseline " + Report.Ratio(platformChatP99, echo.Percentile(99)));
        await DisposeAllAsync(viewers);
    }

    /// <summary>Asks the bare server to broadcast and waits (at most two minutes) until the viewers received <paramref name="expected"/> frames.</summary>
    private static async Task<(double Seconds, long Received)> BaselineBroadcastAsync(HttpClient http, HubClient[] viewers, string query, long expected)
    {
        foreach (var c in viewers)
        {
            ((Viewer)c.Tag!).Received = 0;
        }
        var started = Now;
        await http.PostAsync("/broadcast?" + query, null);
        while (viewers.Sum(c => ((Viewer)c.Tag!).Received) < expected && Ms(started, Now) < 120_000)
        {
            await Task.Delay(5);
        }
        return (Ms(started, Now) / 1000, viewers.Sum(c => ((Viewer)c.Tag!).Received));
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
