namespace Events.Silo;

/// <summary>Which sessions exist: the host answers from its content. Grains are never activated for a session not listed.</summary>
public interface ISessionCatalog
{
    bool Exists(string sessionId);
}
