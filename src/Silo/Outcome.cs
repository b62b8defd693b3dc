namespace Events.Silo;

/// <summary>A command's answer: a value, or a <see cref="LiveError"/>. Errors are values, not exceptions, so a storm of refusals costs little.</summary>
public readonly struct Outcome<T>
{
    private Outcome(T? value, LiveError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public LiveError? Error { get; }

    public bool IsOk => Error is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(LiveError error) => new(default, error);
}
