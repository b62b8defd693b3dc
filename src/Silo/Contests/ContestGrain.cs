using Events.Silo.Live;
using Events.Silo.Voting;
using Orleans;

namespace Events.Silo.Contests;

/// <summary>See <see cref="IContestGrain"/>. Not reentrant: one call at a time, so a check and its write are never split by another call.</summary>
public sealed class ContestGrain(IJudgingStore store, ISessionCatalog catalog, EventClock clock) : Grain, IContestGrain
{
    private readonly Dictionary<string, JudgeRecord> judges = new(StringComparer.Ordinal);
    // Judge, then project, then criterion.
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, int>>> sheets = new(StringComparer.Ordinal);
    private ContestRules? rules;
    private long? lockedAt;
    private string? audienceRound;
    private int revealed;
    private RevealView? reveal;

    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        rules = catalog.Contest(this.GetPrimaryKeyString());
        if (rules is null)
        {
            return;
        }
        var record = await store.GetJudgingAsync(rules.ContestId);
        foreach (var judge in record.Judges)
        {
            judges[judge.UserId] = judge;
        }
        foreach (var score in record.Scores.Where(s => judges.ContainsKey(s.UserId)))
        {
            Sheet(score.UserId, score.Project)[score.Criterion] = score.Score;
        }
        lockedAt = record.LockedAt;
        audienceRound = record.AudienceRound;
        revealed = record.Revealed;
        if (lockedAt is not null && revealed > 0)
        {
            reveal = await BuildRevealAsync(revealed);
        }
    }

    private Dictionary<string, int> Sheet(string judge, string project)
    {
        if (!sheets.TryGetValue(judge, out var byProject))
        {
            sheets[judge] = byProject = new(StringComparer.Ordinal);
        }
        if (!byProject.TryGetValue(project, out var scores))
        {
            byProject[project] = scores = new(StringComparer.Ordinal);
        }
        return scores;
    }

    private int CompleteOf(ContestRules r, string judge) =>
        sheets.TryGetValue(judge, out var sheet) ? r.Projects.Count(p => Ranking.Scored(r, sheet.GetValueOrDefault(p))) : 0;

    private SheetView SheetOf(ContestRules r, string judge)
    {
        var mine = sheets.GetValueOrDefault(judge);
        var scores = r.Projects.ToDictionary(p => p, p => (IReadOnlyDictionary<string, int>)new Dictionary<string, int>(mine?.GetValueOrDefault(p) ?? [], StringComparer.Ordinal), StringComparer.Ordinal);
        return new SheetView(r.ContestId, scores, lockedAt is not null, CompleteOf(r, judge), r.Projects.Count);
    }

    private JudgingStatus Status(ContestRules r) => new(r.ContestId,
        OrderedJudges().Select(j => new JudgeProgress(j.UserId, j.DisplayName, CompleteOf(r, j.UserId))).ToArray(),
        r.Projects.Count, lockedAt, audienceRound, revealed, r.Places);

    /// <summary>Judges in the order they were made.</summary>
    private IEnumerable<JudgeRecord> OrderedJudges() => judges.Values.OrderBy(j => j.AddedAt).ThenBy(j => j.UserId, StringComparer.Ordinal);

    private Outcome<ContestRules> AsJudge(Caller caller) =>
        rules is null ? LiveError.UnknownContest(this.GetPrimaryKeyString())
        : caller.UserId is null ? LiveError.Unauthenticated()
        : !judges.ContainsKey(caller.UserId) ? LiveError.NotAJudge()
        : rules;

    private Outcome<ContestRules> AsOrganizer(Caller caller) =>
        rules is null ? LiveError.UnknownContest(this.GetPrimaryKeyString())
        : caller.UserId is null ? LiveError.Unauthenticated()
        : !caller.CanOrganize ? LiveError.Forbidden("organizer")
        : rules;

    public Task<Outcome<SheetView>> GetSheetAsync(Caller judge)
    {
        var r = AsJudge(judge);
        return Task.FromResult<Outcome<SheetView>>(r.IsOk ? SheetOf(r.Value!, judge.UserId!) : r.Error!);
    }

    public async Task<Outcome<SheetView>> SaveScoresAsync(Caller judge, IReadOnlyList<ScoreEntry> scores)
    {
        var checkedRules = AsJudge(judge);
        if (!checkedRules.IsOk)
        {
            return checkedRules.Error!;
        }
        var r = checkedRules.Value!;
        if (lockedAt is not null)
        {
            return LiveError.JudgingLocked();
        }
        if (scores is null || scores.Count == 0)
        {
            return LiveError.InvalidArgument("scores", "must hold at least one score");
        }
        foreach (var s in scores)
        {
            if (s is null || !r.Projects.Contains(s.Project, StringComparer.Ordinal))
            {
                return LiveError.InvalidProject(s?.Project ?? "");
            }
            if (!r.Criteria.Any(c => c.Id == s.Criterion))
            {
                return LiveError.InvalidCriterion(s.Criterion ?? "");
            }
            if (s.Score < 0 || s.Score > r.MaxScore)
            {
                return LiveError.ScoreOutOfRange(s.Project, s.Criterion, r.MaxScore);
            }
        }
        // The last entry for a (project, criterion) wins, as it would on a form filled in twice.
        var last = scores.GroupBy(s => (s.Project, s.Criterion)).Select(g => g.Last()).OrderBy(s => s.Project, StringComparer.Ordinal).ThenBy(s => s.Criterion, StringComparer.Ordinal).ToArray();
        await store.SaveScoresAsync(r.ContestId, judge.UserId!, last, NowMs);
        foreach (var s in last)
        {
            Sheet(judge.UserId!, s.Project)[s.Criterion] = s.Score;
        }
        return SheetOf(r, judge.UserId!);
    }

    public Task<Outcome<JudgingStatus>> GetStatusAsync(Caller organizer)
    {
        var r = AsOrganizer(organizer);
        return Task.FromResult<Outcome<JudgingStatus>>(r.IsOk ? Status(r.Value!) : r.Error!);
    }

    public async Task<Outcome<JudgingStatus>> AddJudgeAsync(Caller organizer, string userId, string displayName)
    {
        var r = AsOrganizer(organizer);
        if (!r.IsOk)
        {
            return r.Error!;
        }
        if (lockedAt is not null)
        {
            return LiveError.JudgingLocked();
        }
        if (!judges.ContainsKey(userId))
        {
            var judge = new JudgeRecord(userId, displayName, NowMs);
            await store.AddJudgeAsync(r.Value!.ContestId, userId, displayName, judge.AddedAt);
            judges[userId] = judge;
        }
        return Status(r.Value!);
    }

    public async Task<Outcome<JudgingStatus>> RemoveJudgeAsync(Caller organizer, string userId)
    {
        var r = AsOrganizer(organizer);
        if (!r.IsOk)
        {
            return r.Error!;
        }
        if (lockedAt is not null)
        {
            return LiveError.JudgingLocked();
        }
        if (judges.ContainsKey(userId))
        {
            await store.RemoveJudgeAsync(r.Value!.ContestId, userId);
            judges.Remove(userId);
            sheets.Remove(userId);
        }
        return Status(r.Value!);
    }

    public async Task<Outcome<JudgingStatus>> LockAsync(Caller organizer, string? audienceRoundId)
    {
        var checkedRules = AsOrganizer(organizer);
        if (!checkedRules.IsOk)
        {
            return checkedRules.Error!;
        }
        var r = checkedRules.Value!;
        if (lockedAt is not null)
        {
            return Status(r);
        }
        if (judges.Count == 0)
        {
            return LiveError.NoJudges();
        }
        var behind = judges.Values.Where(j => CompleteOf(r, j.UserId) < r.Projects.Count).Select(j => j.DisplayName).ToArray();
        if (behind.Length > 0)
        {
            return LiveError.SheetsIncomplete(behind);
        }
        if (string.IsNullOrEmpty(audienceRoundId))
        {
            if (r.AudienceWeight > 0)
            {
                return LiveError.InvalidArgument("audienceRound", $"must name the final's audience vote (the audience counts {r.AudienceWeight}%)");
            }
            audienceRoundId = null;
        }
        else
        {
            var round = await GrainFactory.GetGrain<IVoteRoundGrain>(audienceRoundId).ViewAsync();
            if (round is null)
            {
                return LiveError.UnknownRound(audienceRoundId);
            }
            if (round.SessionId != r.FinalSession || !round.Options.Any(o => o.Project is not null))
            {
                return LiveError.WrongRound(audienceRoundId, r.FinalSession);
            }
            if (round.Status != "closed")
            {
                return LiveError.RoundStillOpen(audienceRoundId);
            }
        }
        var at = NowMs;
        await store.LockJudgingAsync(r.ContestId, audienceRoundId, at);
        lockedAt = at;
        audienceRound = audienceRoundId;
        return Status(r);
    }

    private async Task<IReadOnlyList<RankedProject>> RankAsync(ContestRules r)
    {
        var votes = new Dictionary<string, long>(StringComparer.Ordinal);
        if (audienceRound is not null && await GrainFactory.GetGrain<IVoteRoundGrain>(audienceRound).ViewAsync() is { } round)
        {
            foreach (var option in round.Options.Where(o => o.Project is not null))
            {
                votes[option.Project!] = votes.GetValueOrDefault(option.Project!) + (option.Votes ?? 0);
            }
        }
        var complete = sheets.Where(kv => judges.ContainsKey(kv.Key))
            .Select(kv => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>)kv.Value.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal))
            .ToArray();
        return Ranking.Rank(r, complete, votes);
    }

    public async Task<Outcome<IReadOnlyList<RankedProject>>> RankingAsync(Caller caller)
    {
        if (rules is null)
        {
            return LiveError.UnknownContest(this.GetPrimaryKeyString());
        }
        if (caller.UserId is null)
        {
            return LiveError.Unauthenticated();
        }
        if (!caller.CanOrganize && !judges.ContainsKey(caller.UserId))
        {
            return LiveError.Forbidden("organizer");
        }
        if (lockedAt is null)
        {
            return LiveError.JudgingNotLocked();
        }
        return Outcome<IReadOnlyList<RankedProject>>.Ok(await RankAsync(rules));
    }

    public Task<Outcome<IReadOnlyList<ScoreRow>>> ScoresAsync(Caller organizer)
    {
        var r = AsOrganizer(organizer);
        if (!r.IsOk)
        {
            return Task.FromResult<Outcome<IReadOnlyList<ScoreRow>>>(r.Error!);
        }
        if (lockedAt is null)
        {
            return Task.FromResult<Outcome<IReadOnlyList<ScoreRow>>>(LiveError.JudgingNotLocked());
        }
        var rows = new List<ScoreRow>();
        foreach (var judge in OrderedJudges())
        {
            var sheet = sheets.GetValueOrDefault(judge.UserId);
            foreach (var project in r.Value!.Projects)
            {
                foreach (var criterion in r.Value.Criteria)
                {
                    if (sheet?.GetValueOrDefault(project)?.TryGetValue(criterion.Id, out var score) == true)
                    {
                        rows.Add(new ScoreRow(judge.UserId, judge.DisplayName, project, criterion.Id, score));
                    }
                }
            }
        }
        return Task.FromResult(Outcome<IReadOnlyList<ScoreRow>>.Ok(rows));
    }

    private async Task<RevealView> BuildRevealAsync(int steps)
    {
        var r = rules!;
        var ranking = await RankAsync(r);
        // The reveal counts down: the last announced place first, first place last.
        var shown = ranking.Take(r.Places).Reverse().Take(steps).ToArray();
        return new RevealView(r.ContestId, shown, r.Places);
    }

    public async Task<Outcome<RevealView>> RevealAsync(Caller organizer, int places)
    {
        var checkedRules = AsOrganizer(organizer);
        if (!checkedRules.IsOk)
        {
            return checkedRules.Error!;
        }
        var r = checkedRules.Value!;
        if (lockedAt is null)
        {
            return LiveError.JudgingNotLocked();
        }
        if (places < 0 || places > r.Places)
        {
            return LiveError.RevealOutOfRange(r.Places);
        }
        var view = await BuildRevealAsync(places);
        if (places != revealed)
        {
            await store.SetRevealedAsync(r.ContestId, places, NowMs);
            revealed = places;
        }
        // Step 0 is an empty view: it hides the results from viewers.
        reveal = places == 0 ? null : view;
        await GrainFactory.GetGrain<ILiveSessionGrain>(r.FinalSession).ShowResultsAsync(view);
        return view;
    }

    public Task<RevealView?> CurrentRevealAsync() => Task.FromResult(reveal);

    public Task<bool> IsJudgeAsync(string userId) => Task.FromResult(judges.ContainsKey(userId));
}
