using Events.Silo.Live;

namespace Events.Web.Live;

/// <summary>The messages the server sends to clients of <see cref="LiveHub"/>; each method name is the wire target.</summary>
public interface ILiveClient
{
    /// <summary>A coalesced change to a joined session, at most once per tick.</summary>
    Task Update(SessionUpdate update);

    /// <summary>A message of a booth queue or 1:1 call to this person (every connection of theirs on this node).</summary>
    Task Call(Events.Silo.Fair.CallSignal signal);
}
