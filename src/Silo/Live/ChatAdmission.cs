using Events.Silo.Store;

namespace Events.Silo.Live;

/// <summary>
/// Whether a chat message may be written: the author, the text, the session's state, sanctions and
/// slow mode. It remembers recent commands by (author, client id), so a retry gets the first
/// attempt's answer instead of a second message, and each author's last message time for slow mode.
/// Touched only inside the session grain's turns.
/// </summary>
internal sealed class ChatAdmission(LiveOptions options)
{
    private const int RememberedCommands = 10_000;

    private readonly Dictionary<string, long> lastChatAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<Outcome<ChatAck>>> recentCommands = new(StringComparer.Ordinal);
    private readonly Queue<string> recentCommandOrder = new();

    public static string CommandKey(string userId, string clientMessageId) => userId + "\n" + clientMessageId;

    public Task<Outcome<ChatAck>>? Earlier(string commandKey) => recentCommands.GetValueOrDefault(commandKey);

    /// <summary>The refusal, or null when the message may go in. <paramref name="body"/> is the trimmed text.</summary>
    public LiveError? Check(Caller author, string body, SessionStatus status, string sessionId, Sanctions sanctions, int slowModeSeconds, long nowMs)
    {
        var userId = author.UserId!;
        if (body.Length == 0)
        {
            return LiveError.EmptyMessage();
        }
        if (body.Length > options.MaxChatLength)
        {
            return LiveError.MessageTooLong(options.MaxChatLength);
        }
        if (!TextRules.IsClean(body))
        {
            return LiveError.InvalidArgument("text", "must not contain control characters or malformed Unicode");
        }
        if (status == SessionStatus.Ended)
        {
            return LiveError.SessionEnded(sessionId);
        }
        if (sanctions.Active(userId, SanctionKind.Ban, nowMs) is not null)
        {
            return LiveError.Banned();
        }
        if (sanctions.Active(userId, SanctionKind.Mute, nowMs) is { } mute)
        {
            return LiveError.Muted(mute.UntilMs is { } until ? (int)Math.Max(0, until - nowMs) : null);
        }
        if (slowModeSeconds > 0 && !author.CanModerate && lastChatAt.TryGetValue(userId, out var last))
        {
            var wait = last + slowModeSeconds * 1000L - nowMs;
            if (wait > 0)
            {
                return LiveError.SlowMode((int)wait);
            }
        }
        return null;
    }

    /// <summary>Records an admitted message; returns the author's previous stamp so a failed write can put it back.</summary>
    public long? Admitted(string userId, string commandKey, long nowMs, Task<Outcome<ChatAck>> ack)
    {
        var previous = lastChatAt.TryGetValue(userId, out var earlier) ? earlier : (long?)null;
        lastChatAt[userId] = nowMs;
        recentCommands[commandKey] = ack;
        recentCommandOrder.Enqueue(commandKey);
        while (recentCommandOrder.Count > RememberedCommands)
        {
            var oldest = recentCommandOrder.Dequeue();
            if (recentCommands.TryGetValue(oldest, out var task) && task.IsCompleted)
            {
                recentCommands.Remove(oldest);
            }
        }
        return previous;
    }

    /// <summary>Not written: forgets the command and its slow-mode stamp, so that the client's retry is tried afresh.</summary>
    public void Failed(string userId, string commandKey, long stamp, long? previousStamp)
    {
        if (lastChatAt.TryGetValue(userId, out var current) && current == stamp)
        {
            if (previousStamp is { } p)
            {
                lastChatAt[userId] = p;
            }
            else
            {
                lastChatAt.Remove(userId);
            }
        }
        recentCommands.Remove(commandKey);
    }
}
