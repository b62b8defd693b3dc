using Events.Silo.Fair;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>
/// The call tests run alone: two Chromium pages encoding fake camera video for seconds take the
/// machine's processor, which made a timing test running beside them late (PacingTests, 4.5 s).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CallCollection
{
    public const string Name = "1:1 video calls, alone";
}

/// <summary>
/// A booth's queue for 1:1 video calls through the hub and in Chromium: who may do what, the
/// queue's view moving for every visitor, and a real call between two browsers (Chromium's fake
/// camera, candidates on loopback only).
/// </summary>
[Collection(CallCollection.Name)]
public sealed class FairQueueTests
{
    private const string Fair = "jobfair-2026-autumn";
    private const string Company = "helixbay-bio";
    private const string Booth = "booth-" + Company;

    [Fact]
    public async Task Over_the_hub_only_the_companys_representatives_call_students_are_told_and_every_visitor_sees_the_line_move()
    {
        await using var host = await LiveHost.StartAsync();
        var first = await host.CreateAccountAsync("first");
        var second = await host.CreateAccountAsync("second");
        var rep = await host.CreateAccountAsync("rep", Roles.CompanyRep);
        var otherRep = await host.CreateAccountAsync("other-rep", Roles.CompanyRep);
        await host.MakeCompanyRepAsync(rep, Company);
        await host.MakeCompanyRepAsync(otherRep, "mingde-motors");
        await using var visitor = await LiveClient.JoinAsync(host, Booth);
        await using var a = await LiveClient.JoinAsync(host, Booth, first.Token);
        await using var b = await LiveClient.JoinAsync(host, Booth, second.Token);
        await using var r = await LiveClient.JoinAsync(host, Booth, rep.Token);
        await using var o = await LiveClient.JoinAsync(host, Booth, otherRep.Token);

        // Bad input and the wrong people get precise refusals.
        Assert.Equal("unauthenticated", (await visitor.InvokeAsync<MyTicketView>("JoinQueue", Company)).Error!.Code);
        Assert.Equal("unknown_booth", (await a.InvokeAsync<MyTicketView>("JoinQueue", "no-such-company")).Error!.Code);
        Assert.Equal("unknown_booth", (await a.InvokeAsync<MyTicketView>("JoinQueue", "../" + Company)).Error!.Code);
        Assert.Equal("forbidden", (await a.InvokeAsync<QueueBoard>("CallNext", Company)).Error!.Code);
        // A representative of another company is a student at this booth.
        Assert.Equal("forbidden", (await o.InvokeAsync<QueueBoard>("GetQueueBoard", Company)).Error!.Code);
        Assert.Equal("queue_empty", (await r.InvokeAsync<QueueBoard>("CallNext", Company)).Error!.Code);
        Assert.Equal("not_in_queue", (await a.InvokeAsync<MyTicketView>("LeaveQueue", Company)).Error!.Code);

        var ticketA = (await a.InvokeAsync<MyTicketView>("JoinQueue", Company)).Value!;
        var ticketB = (await b.InvokeAsync<MyTicketView>("JoinQueue", Company)).Value!;
        Assert.Equal((1, TicketStates.Waiting), (ticketA.Position, ticketA.State));
        Assert.Equal(2, ticketB.Position);
        Assert.True(ticketB.EstimatedWaitMs > ticketA.EstimatedWaitMs);
        // Every visitor, signed in or not, sees the numbers waiting, in order; no names.
        await Eventually.TrueAsync(() => visitor.Queue?.Waiting.SequenceEqual([ticketA.Ticket, ticketB.Ticket]) == true, "the visitor to see two waiting");
        var board = (await r.InvokeAsync<QueueBoard>("GetQueueBoard", Company)).Value!;
        Assert.Equal([first.DisplayName, second.DisplayName], board.Tickets.Select(t => t.DisplayName));

        // The representative calls: the first is told over the hub, with the representative's name and a deadline.
        var called = (await r.InvokeAsync<QueueBoard>("CallNext", Company)).Value!;
        Assert.Equal(ticketA.Ticket, called.MyCall!.Ticket);
        await Eventually.TrueAsync(() => a.Calls.Any(c => c.Kind == "called" && c.Ticket == ticketA.Ticket && c.PeerName == rep.DisplayName && c.Deadline > 0), "the first to be rung");
        Assert.DoesNotContain(b.Calls, c => c.Kind == "called");
        await Eventually.TrueAsync(() => visitor.Queue?.Waiting.SequenceEqual([ticketB.Ticket]) == true && visitor.Queue.Called.SequenceEqual([ticketA.Ticket]), "the line to move for the visitor");
        Assert.Equal(1, (await b.InvokeAsync<MyTicketView>("MyTicket", Company)).Value!.Position);
        Assert.Equal("not_called", (await b.InvokeAsync<MyTicketView>("AnswerCall", Company, ticketB.Ticket)).Error!.Code);

        // Answered: the representative is told, and the WebRTC messages pass between the two only.
        Assert.Equal(TicketStates.InCall, (await a.InvokeAsync<MyTicketView>("AnswerCall", Company, ticketA.Ticket)).Value!.State);
        await Eventually.TrueAsync(() => r.Calls.Any(c => c.Kind == "answered" && c.PeerName == first.DisplayName), "the representative to hear of the answer");
        Assert.True((await r.InvokeAsync<bool>("SendSignal", Company, ticketA.Ticket, "offer", "{\"type\":\"offer\",\"sdp\":\"v=0\"}")).Ok);
        Assert.True((await a.InvokeAsync<bool>("SendSignal", Company, ticketA.Ticket, "answer", "{\"type\":\"answer\",\"sdp\":\"v=0\"}")).Ok);
        await Eventually.TrueAsync(() => a.Calls.Any(c => c.Kind == "offer" && c.Data!.Contains("\"offer\"")) && r.Calls.Any(c => c.Kind == "answer"), "the offer and answer to cross");
        Assert.Equal("not_your_call", (await b.InvokeAsync<bool>("SendSignal", Company, ticketA.Ticket, "ice", "{}")).Error!.Code);
        Assert.Equal("invalid_argument", (await r.InvokeAsync<bool>("SendSignal", Company, ticketA.Ticket, "ice", new string('x', 20_000))).Error!.Code);
        Assert.DoesNotContain(b.Calls, c => c.Kind is "offer" or "answer");
        Assert.Equal("already_in_call", (await r.InvokeAsync<QueueBoard>("CallNext", Company)).Error!.Code);

        // The student hangs up: the representative is told; the student's last ticket reads "done".
        Assert.True((await a.InvokeAsync<bool>("EndCall", Company, ticketA.Ticket)).Ok);
        await Eventually.TrueAsync(() => r.Calls.Any(c => c.Kind == "ended" && c.Ticket == ticketA.Ticket), "the representative to be told the call ended");
        Assert.Equal(TicketStates.Done, (await a.InvokeAsync<MyTicketView>("MyTicket", Company)).Value!.State);
        // The call counts in the booth's figures, which its representatives see.
        var repBrowser = await host.SignInWithFormAsync(rep.Email, rep.Password);
        var figures = await repBrowser.GetStringAsync($"/fair/{Fair}/booths/{Company}/applications");
        Assert.Contains("<dd id=\"figure-calls\">1</dd>", figures);
        // The student's data download lists their place in the queue and how it ended.
        var data = System.Text.Json.JsonDocument.Parse(await (await host.SignInWithFormAsync(first.Email, first.Password)).GetStringAsync("/account/data")).RootElement;
        var queued = Assert.Single(data.GetProperty("boothQueues").EnumerateArray());
        Assert.Equal((Company, "done", rep.DisplayName), (queued.GetProperty("company").GetString(), queued.GetProperty("state").GetString(), queued.GetProperty("calledBy").GetString()));

        // Closing the queue keeps those waiting and turns new students away.
        Assert.False((await r.InvokeAsync<QueueBoard>("SetQueueOpen", Company, false)).Value!.Open);
        Assert.Equal("queue_closed", (await a.InvokeAsync<MyTicketView>("JoinQueue", Company)).Error!.Code);
        await Eventually.TrueAsync(() => visitor.Queue is { Open: false } q && q.Waiting.SequenceEqual([ticketB.Ticket]), "the visitor to see the queue closed");
        var page = await host.Browser().GetStringAsync($"/fair/{Fair}/booths/{Company}");
        Assert.Contains("The representatives are not taking new students for video calls right now.", page);
    }

    [Fact]
    public async Task With_LiveKit_each_side_of_a_call_under_way_and_nobody_else_gets_a_token_for_the_calls_own_room()
    {
        const string key = "APIevents", secret = "a-livekit-secret-of-thirty-two-chars";
        await using var liveKit = new Events.Streaming.Tests.FakeLiveKit(key, secret);
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?>
        {
            ["Streaming:LiveKit:Url"] = liveKit.Url,
            ["Streaming:LiveKit:ApiKey"] = key,
            ["Streaming:LiveKit:ApiSecret"] = secret,
            ["Streaming:LiveKit:ReconcileEvery"] = "01:00:00",
        });
        var student = await host.CreateAccountAsync("student");
        var stranger = await host.CreateAccountAsync("stranger");
        var rep = await host.CreateAccountAsync("rep", Roles.CompanyRep);
        await host.MakeCompanyRepAsync(rep, Company);
        await using var s = await LiveClient.JoinAsync(host, Booth, student.Token);
        await using var x = await LiveClient.JoinAsync(host, Booth, stranger.Token);
        await using var r = await LiveClient.JoinAsync(host, Booth, rep.Token);
        var ticket = (await s.InvokeAsync<MyTicketView>("JoinQueue", Company)).Value!.Ticket;
        Assert.True((await r.InvokeAsync<QueueBoard>("CallNext", Company)).Ok);
        // Not before the student answers.
        Assert.Equal("not_your_call", (await r.InvokeAsync<Live.LiveKitJoin>("GetCallToken", Company, ticket)).Error!.Code);
        Assert.True((await s.InvokeAsync<MyTicketView>("AnswerCall", Company, ticket)).Ok);

        var room = $"call-{Company}-{ticket}";
        var identities = new List<string>();
        foreach (var side in new[] { s, r })
        {
            var join = await side.InvokeAsync<Live.LiveKitJoin>("GetCallToken", Company, ticket);
            Assert.True(join.Ok, join.Error?.Message);
            Assert.Equal(room, join.Value!.Room);
            var claims = Events.Streaming.LiveKit.LiveKitTokens.Verify(join.Value.Token, key, secret, DateTimeOffset.UtcNow, out var error);
            Assert.True(claims is not null, error);
            Assert.Equal($$"""{"roomJoin":true,"room":"{{room}}","canPublish":true,"canSubscribe":true,"canPublishData":true}""", claims!["video"]!.ToJsonString());
            identities.Add(claims["sub"]!.GetValue<string>());
        }
        Assert.Equal(2, identities.Distinct().Count());
        Assert.StartsWith("u-" + student.Id + "-", identities[0], StringComparison.Ordinal);
        Assert.Equal("not_your_call", (await x.InvokeAsync<Live.LiveKitJoin>("GetCallToken", Company, ticket)).Error!.Code);
        await using var anonymous = await LiveClient.JoinAsync(host, Booth);
        Assert.Equal("unauthenticated", (await anonymous.InvokeAsync<Live.LiveKitJoin>("GetCallToken", Company, ticket)).Error!.Code);
        // The page tells its script to use LiveKit.
        Assert.Contains("\"livekit\":true", await host.Browser().GetStringAsync($"/fair/{Fair}/booths/{Company}"));
    }

    [Fact]
    public async Task Without_LiveKit_there_is_no_call_token_and_the_page_calls_browser_to_browser()
    {
        await using var host = await LiveHost.StartAsync();
        var student = await host.CreateAccountAsync("student");
        await using var s = await LiveClient.JoinAsync(host, Booth, student.Token);
        Assert.Equal("no_livekit", (await s.InvokeAsync<Live.LiveKitJoin>("GetCallToken", Company, 1L)).Error!.Code);
        Assert.Equal("unknown_booth", (await s.InvokeAsync<Live.LiveKitJoin>("GetCallToken", "nope", 1L)).Error!.Code);
        Assert.Contains("\"livekit\":false", await host.Browser().GetStringAsync($"/fair/{Fair}/booths/{Company}"));
    }

    [Fact]
    public async Task In_Chromium_a_student_joins_sees_their_place_move_is_called_answers_and_both_see_each_others_video_over_loopback()
    {
        var socket = Path.Combine(Path.GetTempPath(), "events-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        await using var host = await LiveHost.StartAsync(unixSocket: socket);
        var early = await host.CreateAccountAsync("early-bird");
        var student = await host.CreateAccountAsync("student");
        var rep = await host.CreateAccountAsync("rep", Roles.CompanyRep);
        await host.MakeCompanyRepAsync(rep, Company);
        // The browser sees loopback only, so both pages of the call can use no other address.
        var (playwright, browser) = await Browser.LaunchIsolatedAsync(socket, host.BaseUrl.Port, Browser.FakeMedia);
        using var _ = playwright;
        await using var __ = browser;
        var boothUrl = new Uri(host.BaseUrl, $"/fair/{Fair}/booths/{Company}").ToString();
        async Task<IPage> SignedInAsync(Account who, string locale)
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                Locale = locale, ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true,
                Permissions = ["camera", "microphone"],
            });
            var page = await context.NewPageAsync();
            // Every peer connection the page makes, kept for the checks below (the page's script is not changed).
            await page.AddInitScriptAsync("""
                (() => {
                  const Original = window.RTCPeerConnection;
                  window.__connections = [];
                  window.RTCPeerConnection = function (...args) { const pc = new Original(...args); window.__connections.push(pc); return pc; };
                  window.RTCPeerConnection.prototype = Original.prototype;
                })();
                """);
            await page.GotoAsync(boothUrl);
            await page.Locator("#signin-to-queue").ClickAsync();
            await page.FillAsync("input[name=Email]", who.Email);
            await page.FillAsync("input[name=Password]", who.Password);
            await page.ClickAsync("form button[type=submit]");
            await page.WaitForURLAsync($"**/fair/{Fair}/booths/{Company}#booth-queue");
            return page;
        }
        var studentPage = await SignedInAsync(student, "en-GB");
        var repPage = await SignedInAsync(rep, "zh-CN");
        await Expect(repPage.Locator("#queue-title")).ToHaveTextAsync("本展位的视频面谈排队");
        await Expect(repPage.Locator("#queue-board")).ToContainTextAsync("目前没有人排队。");

        // Someone else is first in line (over the hub); the student joins second.
        await using var earlyClient = await LiveClient.JoinAsync(host, Booth, early.Token);
        Assert.True((await earlyClient.InvokeAsync<MyTicketView>("JoinQueue", Company)).Ok);
        await studentPage.Locator("#queue-join").ClickAsync();
        await Expect(studentPage.Locator("#queue-place")).ToContainTextAsync("You are number 2 in line");
        await Expect(studentPage.Locator("#queue-leave")).ToBeVisibleAsync();
        await Expect(repPage.Locator("#queue-board li")).ToHaveCountAsync(2);
        await Expect(repPage.Locator("#queue-board li").Nth(1)).ToContainTextAsync(student.DisplayName);
        await studentPage.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("fair-queue-waiting-phone-en") });

        // The representative calls the first, who takes the call and leaves it: the student moves up.
        await repPage.Locator("#call-next").ClickAsync();
        await Eventually.TrueAsync(() => earlyClient.Calls.Any(c => c.Kind == "called"), "the first in line to be rung");
        var earlyTicket = earlyClient.Calls.First(c => c.Kind == "called").Ticket;
        Assert.True((await earlyClient.InvokeAsync<MyTicketView>("AnswerCall", Company, earlyTicket)).Ok);
        Assert.True((await earlyClient.InvokeAsync<MyTicketView>("LeaveQueue", Company)).Ok);
        await Expect(studentPage.Locator("#queue-place")).ToContainTextAsync("You are next");
        await Expect(repPage.Locator("#call")).ToBeHiddenAsync();

        // Now the student is called: the page rings with the representative's name and a countdown.
        await repPage.Locator("#call-next").ClickAsync();
        await Expect(studentPage.Locator("#call-ringing")).ToBeVisibleAsync();
        await Expect(studentPage.Locator("#call-ringing-text")).ToContainTextAsync($"{rep.DisplayName} is calling you. Answer within");
        await Expect(repPage.Locator("#call-with")).ToHaveTextAsync($"正在呼叫 {student.DisplayName}……");
        await studentPage.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("fair-queue-ringing-phone-en") });
        await studentPage.Locator("#call-answer").ClickAsync();

        // Both sides play the other's (fake) camera, and the connection runs over loopback only.
        const string playing = "() => { const v = document.getElementById('video-remote'); return !!v.srcObject && v.readyState >= 2 && !v.paused && v.videoWidth > 0; }";
        await studentPage.WaitForFunctionAsync(playing, null, new() { Timeout = 20_000 });
        await repPage.WaitForFunctionAsync(playing, null, new() { Timeout = 20_000 });
        foreach (var page in new[] { studentPage, repPage })
        {
            var local = await page.EvaluateAsync<bool>("() => { const v = document.getElementById('video-local'); return !!v.srcObject && v.srcObject.getVideoTracks().length === 1 && v.srcObject.getAudioTracks().length === 1; }");
            Assert.True(local, "each side sends its camera and microphone");
            var before = await page.EvaluateAsync<double>("() => document.getElementById('video-remote').currentTime");
            await page.WaitForFunctionAsync($"() => document.getElementById('video-remote').currentTime > {before.ToString(System.Globalization.CultureInfo.InvariantCulture)} + 0.5", null, new() { Timeout = 10_000 });
            // The media flows between loopback addresses, and every candidate the other side signalled is a loopback one.
            var addresses = await page.EvaluateAsync<string[]>("""
                async () => {
                  const pc = window.__connections[window.__connections.length - 1];
                  const stats = await pc.getStats();
                  const byId = new Map();
                  stats.forEach((s) => byId.set(s.id, s));
                  const out = [];
                  stats.forEach((s) => {
                    if (s.type === 'transport' && s.selectedCandidatePairId) {
                      const pair = byId.get(s.selectedCandidatePairId);
                      out.push('selected-local ' + byId.get(pair.localCandidateId).address, 'selected-remote ' + byId.get(pair.remoteCandidateId).address);
                    }
                    if (s.type === 'remote-candidate' && s.candidateType === 'host') out.push('signalled ' + s.address);
                  });
                  return out;
                }
                """);
            Assert.Contains(addresses, a => a.StartsWith("selected-local ", StringComparison.Ordinal));
            Assert.Contains(addresses, a => a.StartsWith("signalled ", StringComparison.Ordinal));
            Assert.All(addresses, a => Assert.True(a.Split(' ')[1] is var ip && (ip.StartsWith("127.", StringComparison.Ordinal) || ip == "::1"), $"{a} is not loopback"));
        }
        await Expect(repPage.Locator("#call-with")).ToHaveTextAsync($"正在与 {student.DisplayName} 通话");
        await studentPage.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("fair-call-student-phone-en") });
        await repPage.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("fair-call-rep-phone-zh") });

        // The student hangs up: both pages close the call; the representative is told in Chinese.
        await studentPage.Locator("#call-end").ClickAsync();
        await Expect(studentPage.Locator("#call")).ToBeHiddenAsync();
        await Expect(repPage.Locator("#call")).ToBeHiddenAsync();
        await Expect(repPage.Locator("#queue-notice")).ToHaveTextAsync("通话已结束。");
        await Expect(studentPage.Locator("#queue-join")).ToBeVisibleAsync();
    }
}
