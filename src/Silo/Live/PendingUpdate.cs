namespace Events.Silo.Live;

/// <summary>
/// What changed in a session since its last update went out: new chat in id order, deletions,
/// changed rounds, and flags for reactions, settings and counts. <see cref="Take"/> turns it into
/// one <see cref="SessionUpdate"/> with the next sequence number. The first sequence number is
/// the activation's start time in real-clock milliseconds, so a grain activated again after a failover
/// numbers above every update of the one before it (updates go out at most every 20 ms).
/// </summary>
internal sealed class PendingUpdate(long firstSeq)
{
    private readonly List<ChatView> chat = [];
    private readonly List<long> deleted = [];
    private readonly Dictionary<string, RoundView> rounds = new(StringComparer.Ordinal);
    private CountsView? lastCounts;

    public long Seq { get; private set; } = firstSeq;

    public bool ReactionsChanged { get; set; }

    public bool SettingsChanged { get; set; }

    public bool StreamChanged { get; set; }

    /// <summary>A contest's reveal moved: it goes out at once (everyone sees each step at the same moment).</summary>
    public Contests.RevealView? Results { get; set; }

    /// <summary>A booth's queue changed (<see cref="Fair.IBoothQueueGrain"/>): people waiting see their place move at once.</summary>
    public Fair.QueueView? Queue { get; set; }

    public bool HasChat => chat.Count > 0;

    /// <summary>
    /// What people read and answer is waiting (chat, a deletion, a change of settings): it goes out
    /// at the least interval even while the fan-out is paced; counts, reactions and tallies wait for
    /// the paced interval.
    /// </summary>
    public bool IsUrgent => chat.Count > 0 || deleted.Count > 0 || SettingsChanged || Results is not null || Queue is not null;

    public void AddChat(ChatView message) => chat.Add(message);

    public void Deleted(long messageId)
    {
        chat.RemoveAll(m => m.Id == messageId);
        deleted.Add(messageId);
    }

    public void RoundChanged(RoundView view) => rounds[view.RoundId] = view;

    /// <summary>The update, or null when nothing viewers see has changed.</summary>
    public SessionUpdate? Take(string sessionId, CountsView? counts, Func<IReadOnlyDictionary<string, long>> reactions, Func<SettingsView> settings, Func<StreamView> stream)
    {
        if (counts is not null && counts == lastCounts)
        {
            counts = null;
        }
        if (counts is null && !ReactionsChanged && chat.Count == 0 && deleted.Count == 0 && !SettingsChanged && !StreamChanged && rounds.Count == 0 && Results is null && Queue is null)
        {
            return null;
        }
        lastCounts = counts ?? lastCounts;
        var update = new SessionUpdate(sessionId, ++Seq, counts,
            ReactionsChanged ? reactions() : null,
            chat.Count > 0 ? chat.ToArray() : null,
            deleted.Count > 0 ? deleted.ToArray() : null,
            SettingsChanged ? settings() : null,
            rounds.Count > 0 ? rounds.Values.ToArray() : null,
            StreamChanged ? stream() : null,
            Results,
            Queue);
        Results = null;
        Queue = null;
        ReactionsChanged = false;
        StreamChanged = false;
        SettingsChanged = false;
        chat.Clear();
        deleted.Clear();
        rounds.Clear();
        return update;
    }
}
