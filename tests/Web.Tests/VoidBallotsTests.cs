using System.Net;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;

namespace Events.Web.Tests;

/// <summary>The anomaly report of a round and voiding a group of its ballots: the tally every viewer sees follows, equals the recount, and the voided voters are told.</summary>
public sealed class VoidBallotsTests
{
    private const string Final = "contest-final";

    [Fact]
    public async Task Ballots_from_one_device_show_up_together_and_voided_with_a_reason_they_leave_the_tally_and_the_recount()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var org = await LiveClient.JoinAsync(host, Final, organizer.Token);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Final, new OpenRoundRequest("Audience Choice Award", null, true, false, "aud-1", MaxChoices: 3, FromRunningOrder: true))).Value!;
        string[] first = [round.Options[0].Id, round.Options[1].Id, round.Options[2].Id];

        // Four ballots from one phone (one viewer cookie), two from phones of their own.
        var voters = new List<(Account Account, LiveClient Client)>();
        for (var i = 0; i < 6; i++)
        {
            var account = await host.CreateAccountAsync("voter");
            var client = await LiveClient.JoinAsync(host.HubUrl, Final, account.Token, cookie: $"vid={(i < 4 ? "one-shared-phone-0001" : "own-phone-000" + i)}");
            voters.Add((account, client));
            var choices = i < 4 ? first : [round.Options[5].Id];
            Assert.Equal("accepted", (await client.InvokeAsync<VoteAck>("CastBallot", round.RoundId, choices, "b" + i)).Value?.Status);
        }
        try
        {
            await Eventually.TrueAsync(() => org.Round(round.RoundId)?.TotalVotes == 6, "six ballots counted");
            var desk = await host.SignInWithFormAsync(organizer.Email, organizer.Password);
            var path = $"/organize/rounds/{round.RoundId}";
            // Signals are written a quarter second after the votes.
            string page = "";
            await Eventually.TrueAsync(async () => (page = WebUtility.HtmlDecode(await desk.GetStringAsync(path))).Contains("6 ballots with signals"), "the report to hold six signals");
            var device = System.Text.RegularExpressions.Regex.Match(page, "data-kind=\"device\" data-key=\"([0-9A-F]+)\"").Groups[1].Value;
            Assert.Contains($"data-kind=\"device\" data-key=\"{device}\">\n                    <span><code>{device}</code> · 4 votes", page);
            Assert.Contains("data-kind=\"new\"", page);

            var form = new Dictionary<string, string> { ["kind"] = "device", ["key"] = device, ["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(page) };
            var noReason = await desk.PostAsync(path + "?handler=Void", new FormUrlEncodedContent(form));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
            Assert.Equal(6, (await host.Store().GetTallyAsync(round.RoundId)).Ballots);

            form["reason"] = "Four ballots from one phone within a minute";
            var voided = await desk.PostAsync(path + "?handler=Void", new FormUrlEncodedContent(form));
            Assert.Equal(HttpStatusCode.OK, voided.StatusCode);
            Assert.Contains("4 ballots voided", WebUtility.HtmlDecode(await voided.Content.ReadAsStringAsync()));

            // Every viewer's tally follows, and it is the recount of the ballot table.
            await Eventually.TrueAsync(() => voters.All(v => v.Client.Round(round.RoundId)?.TotalVotes == 2), "every viewer to see two ballots");
            var recount = await host.Store().GetTallyAsync(round.RoundId);
            Assert.Equal(2, recount.Ballots);
            var shown = voters[5].Client.Round(round.RoundId)!;
            Assert.Equal(round.Options.Select(o => recount.Options.GetValueOrDefault(o.Id)), shown.Options.Select(o => o.Votes ?? -1));
            Assert.Equal(0, shown.Options[0].Votes);
            Assert.Equal(2, shown.Options[5].Votes);

            // A voided voter asking again is told; the others' ballots stand.
            Assert.Equal("ballot_voided", (await voters[0].Client.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { round.Options[7].Id }, "again")).Error?.Code);
            Assert.Equal("already_voted", (await voters[4].Client.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { round.Options[7].Id }, "again")).Value?.Status);
            Assert.Equal(2, (await host.Store().GetTallyAsync(round.RoundId)).Ballots);

            // The audit log names who voided what and why.
            var audit = WebUtility.HtmlDecode(await desk.GetStringAsync("/organize/audit?action=ballots.void"));
            Assert.Contains("Four ballots from one phone within a minute", audit);
            Assert.Contains(round.RoundId, audit);
            // Voiding the same group again voids nothing more.
            form["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(await desk.GetStringAsync(path));
            var again = await desk.PostAsync(path + "?handler=Void", new FormUrlEncodedContent(form));
            Assert.Contains("0 ballots voided", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()));
        }
        finally
        {
            foreach (var (_, client) in voters)
            {
                await client.DisposeAsync();
            }
        }
    }
}
