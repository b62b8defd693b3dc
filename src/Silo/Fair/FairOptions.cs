namespace Events.Silo.Fair;

/// <summary>The job fair's queues for 1:1 calls (configuration section "Fair").</summary>
public sealed class FairOptions
{
    /// <summary>Booth queues a student may wait in at once.</summary>
    public int MaxQueuesPerMember { get; set; } = 3;

    /// <summary>How long a called student has to answer before they are skipped.</summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>The length of a call assumed for the estimated wait until the booth has had some.</summary>
    public TimeSpan AssumedCall { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// STUN/TURN servers for the browser-to-browser calls, as RTCIceServer entries ("stun:host:port",
    /// "turn:host:port"); empty: none, which suits people on one network (and the tests, on loopback).
    /// </summary>
    public List<string> IceServers { get; set; } = [];

    /// <summary>The user name and credential for the TURN entries of <see cref="IceServers"/>.</summary>
    public string? TurnUsername { get; set; }

    public string? TurnCredential { get; set; }

    public void Validate()
    {
        static void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"Configuration 'Fair:{key}' {problem}.");
            }
        }
        Check(MaxQueuesPerMember is >= 1 and <= 20, nameof(MaxQueuesPerMember), "must be between 1 and 20");
        Check(AnswerWithin >= TimeSpan.FromSeconds(1) && AnswerWithin <= TimeSpan.FromMinutes(10), nameof(AnswerWithin), "must be between 00:00:01 and 00:10:00");
        Check(AssumedCall >= TimeSpan.FromSeconds(30) && AssumedCall <= TimeSpan.FromHours(1), nameof(AssumedCall), "must be between 00:00:30 and 01:00:00");
        foreach (var server in IceServers)
        {
            Check(server is not null && (server.StartsWith("stun:", StringComparison.Ordinal) || server.StartsWith("turn:", StringComparison.Ordinal) || server.StartsWith("turns:", StringComparison.Ordinal)),
                nameof(IceServers), "entries must start with stun:, turn: or turns:");
        }
        Check(!IceServers.Any(s => s.StartsWith("turn", StringComparison.Ordinal)) || (TurnUsername is { Length: > 0 } && TurnCredential is { Length: > 0 }),
            nameof(TurnUsername), "and 'Fair:TurnCredential' are required with a turn: server");
    }
}
