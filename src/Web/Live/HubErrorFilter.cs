using Events.Silo;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

/// <summary>
/// Turns a failure inside a hub method into a typed result (<c>try_again</c>) instead of a bare
/// invocation error, so clients handle every refusal the same way and the connection stays up;
/// and counts every command by method and outcome.
/// </summary>
public sealed class HubErrorFilter(ILogger<HubErrorFilter> logger, LiveMeters meters) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        object? result;
        try
        {
            result = await next(invocationContext);
        }
        catch (Exception e) when (e is not HubException)
        {
            logger.LogError(e, "Hub method {Method} failed", invocationContext.HubMethodName);
            result = new HubResult<object>(false, null, LiveError.TryAgain());
        }
        if (result is IHubResult outcome)
        {
            meters.RecordCommand(invocationContext.HubMethodName, outcome.Ok ? "ok" : outcome.Error?.Code ?? "error");
        }
        return result;
    }
}
