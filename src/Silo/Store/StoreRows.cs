using System.Data.Common;
using System.Text.Json;

namespace Events.Silo.Store;

/// <summary>
/// How both stores turn rows into records: the same columns, in the same order, for SQLite and
/// PostgreSQL, so a column added to a query is mapped in one place.
/// </summary>
internal static class StoreRows
{
    public const string RoundColumns = "round_id, session_id, question, options_json, show_tally, eligibility, status, opened_at, closed_at, max_choices, closes_at";

    /// <summary>Adds <paramref name="ballots"/> ballots with the same choices (a <c>votes.option_id</c>) to a per-option tally.</summary>
    public static void AddBallots(Dictionary<string, long> tally, string choices, long ballots)
    {
        foreach (var option in Choices.Split(choices))
        {
            tally[option] = tally.GetValueOrDefault(option) + ballots;
        }
    }

    public static async Task<List<T>> ListAsync<T>(DbDataReader r, Func<DbDataReader, T> map)
    {
        var list = new List<T>();
        while (await r.ReadAsync().ConfigureAwait(false))
        {
            list.Add(map(r));
        }
        return list;
    }

    /// <summary>Columns: id, session_id, body, sent_at, deleted (a boolean).</summary>
    public static MemberChat MemberChat(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetBoolean(4));

    /// <summary>Columns: round_id, session_id, question, option_id, cast_at.</summary>
    public static MemberVote MemberVote(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4));

    /// <summary>Columns: session_id, kind, until_ms, set_at.</summary>
    public static MemberSanction MemberSanction(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetInt64(3));

    /// <summary>Columns: session_id, first_seen.</summary>
    public static MemberView MemberView(DbDataReader r) => new(r.GetString(0), r.GetInt64(1));

    /// <summary>Columns: id, session_id, author_id, author_name, body, sent_at, author_badge.</summary>
    public static ChatMessage Message(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.IsDBNull(6) ? null : r.GetString(6));

    /// <summary>Columns: <see cref="RoundColumns"/>. show_tally is a boolean in PostgreSQL and an integer in SQLite; both readers' GetBoolean read it.</summary>
    public static RoundRecord Round(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2),
            JsonSerializer.Deserialize<List<RoundOption>>(r.GetString(3))!,
            r.GetBoolean(4),
            Enum.Parse<RoundEligibility>(r.GetString(5)),
            Enum.Parse<RoundStatus>(r.GetString(6)),
            r.GetInt64(7),
            r.IsDBNull(8) ? null : r.GetInt64(8),
            r.GetInt32(9),
            r.IsDBNull(10) ? null : r.GetInt64(10));

    /// <summary>Columns: user_id, kind, until_ms, set_by.</summary>
    public static Sanction Sanction(string sessionId, DbDataReader r) =>
        new(sessionId, r.GetString(0), Enum.Parse<SanctionKind>(r.GetString(1)), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetString(3));

    /// <summary>Columns: voter_id, option_id, client_vote_id.</summary>
    public static StoredVote Vote(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2));

    /// <summary>Columns: unique_viewers, total_views, peak_viewers.</summary>
    public static SessionCounters Counters(DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));

    /// <summary>A broadcast with whether its replay is hidden: select from <see cref="BroadcastsJoined"/>.</summary>
    public const string BroadcastColumns = "b.session_id, b.broadcast_id, b.playlist, b.seconds, b.started_at, b.ended_at, COALESCE(e.hidden, 0)";

    public const string BroadcastsJoined = "broadcasts b LEFT JOIN replay_edits e ON e.session_id = b.session_id AND e.broadcast_id = b.broadcast_id";

    public const string ReplayEditColumns = "session_id, broadcast_id, original_playlist, original_seconds, offset_seconds, trim_start, trim_end, hidden, updated_at";

    public static ReplayEditRecord ReplayEdit(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.IsDBNull(6) ? null : r.GetDouble(6), r.GetInt64(7) != 0, r.GetInt64(8));

    /// <summary>Columns: <see cref="BroadcastColumns"/>.</summary>
    public static BroadcastRecord Broadcast(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetDouble(3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetInt64(5), Convert.ToInt64(r.GetValue(6)) != 0);

    public static MarkerRecord Marker(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3));

    public static LiveKitStageRecord Stage(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5));

    public static LiveKitBroadcastRecord LiveKitBroadcast(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3));
}
