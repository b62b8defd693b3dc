using Events.Silo;

namespace Events.Web.Live;

/// <summary>
/// What every hub method returns: <c>{"ok":true,"value":...}</c> or
/// <c>{"ok":false,"error":{"code","message","retryAfterMs"}}</c> (methods whose value is a boolean
/// also carry <c>"value":false</c> on failure; clients read <c>ok</c> first). Refusals are results, not
/// exceptions, so the connection stays up and the client can show the reason.
/// </summary>
public sealed record HubResult<T>(bool Ok, T? Value, LiveError? Error) : IHubResult
{
    public static HubResult<T> From(Outcome<T> outcome) => outcome.IsOk ? new(true, outcome.Value, null) : new(false, default, outcome.Error);

    public static HubResult<T> Fail(LiveError error) => new(false, default, error);

    public static implicit operator HubResult<T>(LiveError error) => Fail(error);
}

/// <summary>The outcome of any hub result, whatever its value type (for metrics).</summary>
public interface IHubResult
{
    bool Ok { get; }

    LiveError? Error { get; }
}
