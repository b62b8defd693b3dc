using Orleans;
using Orleans.Concurrency;

namespace Events.Silo;

/// <summary>A command's answer: a value, or a <see cref="LiveError"/>. Errors are values, not exceptions, so a storm of refusals costs little.</summary>
[GenerateSerializer, Immutable]
public readonly struct Outcome<T>
{
    private Outcome(T? value, LiveError? error)
    {
        Value = value;
        Error = error;
    }

    [Id(0)]
    public T? Value { get; }

    [Id(1)]
    public LiveError? Error { get; }

    public bool IsOk => Error is null;

    /// <summary>A value; for value types that are interfaces, where the implicit conversion cannot apply.</summary>
    public static Outcome<T> Ok(T value) => new(value, null);

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(LiveError error) => new(default, error);
}
