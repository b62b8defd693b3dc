using Events.Silo.Store;
using Events.Silo.Streams;
using Events.Streaming.Replays;
using Events.Web.Content;

namespace Events.Web.Pages;

/// <summary>
/// The replays the library lists: every ended broadcast with a playlist, of a session that is still
/// in the content, newest first. Read from the store at most every 15 s, so the library page costs
/// no query per view however many browse it.
/// </summary>
public sealed class ReplayLibrary(IStreamStore store, ContentStore content, TimeProvider time)
{
    public const int MaxReplays = 500;
    private static readonly TimeSpan Kept = TimeSpan.FromSeconds(15);
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private (IReadOnlyList<Replay> Replays, DateTimeOffset At)? kept;

    public sealed record Replay(SessionItem Session, EventItem Event, IReadOnlyList<SpeakerItem> Speakers, string BroadcastId, string Playlist, double Seconds, DateTimeOffset EndedAt)
    {
        public string Thumbnail => StreamPaths.Url(Session.Slug, BroadcastId, Thumbnails.Name);
    }

    public async Task<IReadOnlyList<Replay>> AllAsync()
    {
        if (kept is { } k && time.GetUtcNow() - k.At < Kept)
        {
            return k.Replays;
        }
        await refreshing.WaitAsync();
        try
        {
            if (kept is { } again && time.GetUtcNow() - again.At < Kept)
            {
                return again.Replays;
            }
            var catalog = content.Current;
            var replays = new List<Replay>();
            foreach (var b in await store.GetReplaysAsync(MaxReplays))
            {
                if (catalog.FindSession(b.SessionId) is { } session && catalog.FindEvent(session.EventSlug) is { } ev)
                {
                    var speakers = session.Speakers.Select(catalog.FindSpeaker).OfType<SpeakerItem>().ToArray();
                    replays.Add(new Replay(session, ev, speakers, b.BroadcastId, StreamPaths.Url(b.SessionId, b.BroadcastId, b.Playlist!), b.Seconds, DateTimeOffset.FromUnixTimeMilliseconds(b.EndedAt!.Value)));
                }
            }
            kept = (replays, time.GetUtcNow());
            return replays;
        }
        finally
        {
            refreshing.Release();
        }
    }
}
