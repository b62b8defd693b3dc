namespace Events.Load;

/// <summary>What to run and at what scale; every field has a command-line flag of the same name in kebab case.</summary>
public sealed class Settings
{
    public int Viewers { get; set; } = 50_000;
    public int HoldSeconds { get; set; } = 300;
    public int BroadcastSeconds { get; set; } = 20;
    public int Voters { get; set; } = 200_000;
    public int VotesPerVoter { get; set; } = 5;
    public int VoteLanes { get; set; } = 2_000;
    public int VoteWave { get; set; } = 10_000;
    public int ChatViewers { get; set; } = 5_000;
    public int ChatSenders { get; set; } = 50;
    public int ChatPerSenderPerSecond { get; set; } = 4;
    public int ChatSeconds { get; set; } = 20;
    public int ScreenVotes { get; set; } = 40;
    public int SourceAddresses { get; set; } = 8;
    public int ConnectParallelism { get; set; } = 256;
    public string Session { get; set; } = "contest-final";

    /// <summary>The HLS scenario: players fetching at once, seconds per phase, and segments pushed first (256 KB each, as 2 s at 1 Mbit/s).</summary>
    public int HlsPlayers { get; set; } = 200;
    public int HlsSeconds { get; set; } = 8;
    public int HlsSegments { get; set; } = 30;
    /// <summary>The vote storm's ballots: 1 is one option of four a ballot (CastVote); more is that many distinct options of five (CastBallot), as a "three votes each" final.</summary>
    public int StormChoices { get; set; } = 1;
    /// <summary>Voters of an uncounted warm-up storm round before the counted ones (0: none), so a server still recompiling its hot code is not what is measured.</summary>
    public int WarmUpVoters { get; set; } = 10_000;

    /// <summary>The voting page scenario: clients fetching it at once, and seconds per phase.</summary>
    public int PageClients { get; set; } = 100;
    public int PageSeconds { get; set; } = 8;
    public string ServerCore { get; set; } = "0";
    public string Tick { get; set; } = "00:00:00.200";
    public string WebDll { get; set; } = "";
    public string Repository { get; set; } = "";
    public bool SkipBaseline { get; set; }

    /// <summary>Scenarios to run, comma-separated (hold, broadcast, screen, storm, chat, hls, page); empty runs all. For looking into one path; a recorded run runs all.</summary>
    public string Only { get; set; } = "";

    public bool Runs(string scenario) => Only.Length == 0 || Only.Split(',', StringSplitOptions.TrimEntries).Contains(scenario, StringComparer.OrdinalIgnoreCase);

    /// <summary>How many times each comparison alternates a platform phase with the baseline's (one node only).</summary>
    public int Rounds { get; set; } = 3;

    /// <summary>Platform nodes: more than one forms an Orleans cluster with Redis membership and a PostgreSQL store.</summary>
    public int Nodes { get; set; } = 1;

    /// <summary>The most connections one generator process holds; more viewers are spread over worker processes.</summary>
    public int SocketsPerProcess { get; set; } = 18_000;

    /// <summary>The whole run's hard limit; every process it started is stopped then.</summary>
    public int TimeLimitMinutes { get; set; } = 120;

    public static Settings Smoke() => new()
    {
        Viewers = 300,
        HoldSeconds = 3,
        BroadcastSeconds = 3,
        Voters = 2_000,
        VotesPerVoter = 5,
        VoteLanes = 100,
        VoteWave = 1_000,
        ChatViewers = 100,
        ChatSenders = 5,
        ChatPerSenderPerSecond = 4,
        ChatSeconds = 3,
        ScreenVotes = 5,
        HlsPlayers = 10,
        HlsSeconds = 2,
        HlsSegments = 4,
        PageClients = 10,
        PageSeconds = 2,
        WarmUpVoters = 0,
        SourceAddresses = 2,
        Rounds = 1,
        TimeLimitMinutes = 5,
    };

    public void Apply(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i] == "--smoke")
            {
                continue;
            }
            var name = string.Concat(args[i][2..].Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
            var property = typeof(Settings).GetProperty(name) ?? throw new ArgumentException($"Unknown option {args[i]}.");
            if (property.PropertyType == typeof(bool))
            {
                property.SetValue(this, true);
                continue;
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {args[i]} needs a value.");
            }
            var value = args[++i];
            property.SetValue(this, property.PropertyType == typeof(int) ? int.Parse(value) : value);
        }
    }
}
