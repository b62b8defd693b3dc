namespace Events.Silo.Grains;

/// <summary>Raised by a turn on a grain instance that has been deactivated; callers go through the directory again.</summary>
public sealed class GrainDeactivatedException(string key) : Exception($"Grain '{key}' was deactivated.");
