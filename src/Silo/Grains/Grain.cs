namespace Events.Silo.Grains;

/// <summary>
/// Base of every grain: an in-process actor whose turns run one at a time.
/// Grain code never takes locks of its own; it runs inside <see cref="Turn{T}(Func{T})"/>.
/// A turn that finds the grain deactivated fails with <see cref="GrainDeactivatedException"/>,
/// which <see cref="GrainDirectory"/> answers by activating a fresh instance.
/// </summary>
public abstract class Grain
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private long lastTurnTicks = Environment.TickCount64;
    private bool deactivated;

    protected Grain(string key) => Key = key;

    public string Key { get; }

    internal long IdleMilliseconds => Environment.TickCount64 - Volatile.Read(ref lastTurnTicks);

    /// <summary>Runs a synchronous turn. Uncontended turns take the gate without allocating.</summary>
    protected Task<T> Turn<T>(Func<T> body)
    {
        if (gate.Wait(0))
        {
            try
            {
                return Task.FromResult(RunInTurn(body));
            }
            catch (Exception e)
            {
                return Task.FromException<T>(e);
            }
            finally
            {
                gate.Release();
            }
        }
        return TurnSlow(body);
    }

    private async Task<T> TurnSlow<T>(Func<T> body)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return RunInTurn(body);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs an asynchronous turn: no other turn of this grain starts until it completes.</summary>
    protected async Task<T> TurnAsync<T>(Func<Task<T>> body)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ThrowIfDeactivated();
            Volatile.Write(ref lastTurnTicks, Environment.TickCount64);
            return await body().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private T RunInTurn<T>(Func<T> body)
    {
        ThrowIfDeactivated();
        Volatile.Write(ref lastTurnTicks, Environment.TickCount64);
        return body();
    }

    private void ThrowIfDeactivated()
    {
        if (deactivated)
        {
            throw new GrainDeactivatedException(Key);
        }
    }

    /// <summary>Loads the grain's state; called once by the directory before the grain is used.</summary>
    protected internal virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when the grain holds nothing that would be lost or missed if it were dropped now.</summary>
    protected virtual bool CanDeactivate => true;

    /// <summary>Stops the grain if it is idle; later turns fail and the directory activates a new instance.</summary>
    internal async Task<bool> TryDeactivateAsync(TimeSpan idleFor)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (deactivated || IdleMilliseconds < idleFor.TotalMilliseconds || !CanDeactivate)
            {
                return false;
            }
            deactivated = true;
            return true;
        }
        finally
        {
            gate.Release();
        }
    }
}
