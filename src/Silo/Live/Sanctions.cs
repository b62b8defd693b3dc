using Events.Silo.Store;

namespace Events.Silo.Live;

/// <summary>The mutes and bans of one session, as stored; a mute past its end no longer applies.</summary>
internal sealed class Sanctions
{
    private readonly Dictionary<(string UserId, SanctionKind Kind), Sanction> all = [];

    public void Load(IEnumerable<Sanction> stored)
    {
        all.Clear();
        foreach (var s in stored)
        {
            all[(s.UserId, s.Kind)] = s;
        }
    }

    public void Set(Sanction sanction) => all[(sanction.UserId, sanction.Kind)] = sanction;

    public void Remove(string userId, SanctionKind kind) => all.Remove((userId, kind));

    public Sanction? Active(string userId, SanctionKind kind, long nowMs) =>
        all.TryGetValue((userId, kind), out var s) && (s.UntilMs is null || s.UntilMs > nowMs) ? s : null;

    public IReadOnlyList<SanctionView> InForce(long nowMs) =>
        all.Values
            .Where(s => s.UntilMs is null || s.UntilMs > nowMs)
            .OrderBy(s => s.Kind).ThenBy(s => s.UserId, StringComparer.Ordinal)
            .Select(s => new SanctionView(s.UserId, s.Kind == SanctionKind.Ban ? "ban" : "mute", s.UntilMs, s.SetBy))
            .ToArray();
}
