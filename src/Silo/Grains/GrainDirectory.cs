using System.Collections.Concurrent;

namespace Events.Silo.Grains;

/// <summary>
/// Holds this node's activations: at most one per key. Activation runs the grain's
/// <see cref="Grain.OnActivateAsync"/> once; concurrent callers share it. Idle grains are
/// dropped by <see cref="SweepAsync"/>, and a call that raced with a drop is retried on a new activation.
/// </summary>
public sealed class GrainDirectory<TGrain>(Func<string, TGrain> create) where TGrain : Grain
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TGrain>>> activations = new(StringComparer.Ordinal);

    public IEnumerable<TGrain> Active
    {
        get
        {
            foreach (var entry in activations.Values)
            {
                if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
                {
                    yield return entry.Value.Result;
                }
            }
        }
    }

    /// <summary>The activation for <paramref name="key"/> if there is a ready one on this node; never activates.</summary>
    public bool TryGetActive(string key, out TGrain grain)
    {
        if (activations.TryGetValue(key, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
        {
            grain = entry.Value.Result;
            return true;
        }
        grain = null!;
        return false;
    }

    public Task<TGrain> GetAsync(string key)
    {
        var entry = activations.GetOrAdd(key, k => new Lazy<Task<TGrain>>(() => ActivateAsync(k)));
        var task = entry.Value;
        if (task.IsFaulted)
        {
            // A failed activation (store down) is not kept: the next call tries again.
            activations.TryRemove(new KeyValuePair<string, Lazy<Task<TGrain>>>(key, entry));
        }
        return task;
    }

    /// <summary>Calls a grain, retrying once on a fresh activation if the one found was just deactivated.</summary>
    public async Task<T> CallAsync<T>(string key, Func<TGrain, Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            var grain = await GetAsync(key).ConfigureAwait(false);
            try
            {
                return await call(grain).ConfigureAwait(false);
            }
            catch (GrainDeactivatedException) when (attempt < 3)
            {
                activations.TryRemove(key, out _);
            }
        }
    }

    private async Task<TGrain> ActivateAsync(string key)
    {
        var grain = create(key);
        await grain.OnActivateAsync(CancellationToken.None).ConfigureAwait(false);
        return grain;
    }

    /// <summary>Deactivates grains idle for longer than <paramref name="idleFor"/>.</summary>
    public async Task<int> SweepAsync(TimeSpan idleFor)
    {
        var dropped = 0;
        foreach (var (key, entry) in activations)
        {
            if (!entry.IsValueCreated || !entry.Value.IsCompleted)
            {
                continue;
            }
            if (entry.Value.IsFaulted)
            {
                activations.TryRemove(new KeyValuePair<string, Lazy<Task<TGrain>>>(key, entry));
                continue;
            }
            var grain = entry.Value.Result;
            if (grain.IdleMilliseconds >= idleFor.TotalMilliseconds && await grain.TryDeactivateAsync(idleFor).ConfigureAwait(false))
            {
                activations.TryRemove(new KeyValuePair<string, Lazy<Task<TGrain>>>(key, entry));
                if (grain is IAsyncDisposable disposable)
                {
                    // Stops the grain's write loops; CanDeactivate guaranteed they hold nothing.
                    await disposable.DisposeAsync().ConfigureAwait(false);
                }
                dropped++;
            }
        }
        return dropped;
    }
}
