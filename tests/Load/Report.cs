using System.Globalization;
using System.Text;

namespace Events.Load;

/// <summary>A figure of ours and the baseline's from the same round (adjacent phases), and their ratio.</summary>
public readonly record struct Paired(double Ours, double Baseline)
{
    public double Ratio => Baseline > 0 && !double.IsNaN(Ours) ? Ours / Baseline : double.NaN;
}

/// <summary>Collects result rows and prints them as the Markdown tables kept in docs/benchmarks.md.</summary>
public sealed class Report
{
    public sealed class Row(string scenario, string parameters, string figures, string baseline, string ratio)
    {
        public string Scenario { get; set; } = scenario;

        public string Parameters { get; set; } = parameters;

        public string Figures { get; set; } = figures;

        public string Baseline { get; set; } = baseline;

        public string Ratio { get; set; } = ratio;
    }

    private readonly List<Row> rows = [];
    private readonly List<string[]> rounds = [];
    private string[]? roundColumns;

    public bool Failed { get; private set; }

    public List<string> Problems { get; } = [];

    public List<string> Notes { get; } = [];

    public Row Add(string scenario, string parameters, string figures, string baseline = "", string ratio = "")
    {
        var row = new Row(scenario, parameters, figures, baseline, ratio);
        rows.Add(row);
        return row;
    }

    /// <summary>The per-round table: one line per round, a cell per compared figure.</summary>
    public void AddRound(string[] columns, string[] cells)
    {
        roundColumns = columns;
        rounds.Add(cells);
    }

    /// <summary>Records a correctness failure (a lost or doubly counted vote, a dropped viewer); the run exits non-zero.</summary>
    public void Check(bool ok, string problem)
    {
        if (!ok)
        {
            Failed = true;
            Problems.Add(problem);
        }
    }

    public static string F(double value, int decimals = 0) => double.IsNaN(value) || double.IsInfinity(value) ? "n/a" : value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    public static string R(double ratio) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "n/a" : ratio.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Ratio(double ours, double baseline) => R(new Paired(ours, baseline).Ratio);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>"median (min–max)" over the rounds, or the one value.</summary>
    public static string Spread(IReadOnlyCollection<double> values, Func<double, string> format)
    {
        var known = values.Where(v => !double.IsNaN(v)).ToArray();
        if (known.Length <= 1)
        {
            return format(known.Length == 1 ? known[0] : double.NaN);
        }
        return $"{format(Median(known))} ({format(known.Min())}–{format(known.Max())})";
    }

    public static string Spread(IReadOnlyCollection<double> values, int decimals = 0) => Spread(values, v => F(v, decimals));

    /// <summary>The ratio of each round's pair: "median (min–max over N rounds)".</summary>
    public static string RatioSpread(IReadOnlyCollection<Paired> pairs)
    {
        var ratios = pairs.Select(p => p.Ratio).Where(r => !double.IsNaN(r)).ToArray();
        return ratios.Length switch
        {
            0 => "n/a",
            1 => $"**{R(ratios[0])}**",
            _ => $"**{R(Median(ratios))}** ({R(ratios.Min())}–{R(ratios.Max())} over {ratios.Length} rounds)",
        };
    }

    public string ToMarkdown(string machine, string command)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Machine: {machine}  ");
        sb.AppendLine($"Command: `{command}`  ");
        sb.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine("| scenario | parameters | figures | baseline | ratio |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
        {
            sb.AppendLine($"| {r.Scenario} | {r.Parameters} | {r.Figures} | {r.Baseline} | {r.Ratio} |");
        }
        if (rounds.Count > 0 && roundColumns is not null)
        {
            sb.AppendLine();
            sb.AppendLine("Rounds, in the order run (each cell: ours / baseline = ratio):");
            sb.AppendLine();
            sb.AppendLine("| round | " + string.Join(" | ", roundColumns) + " |");
            sb.AppendLine("|---|" + string.Concat(roundColumns.Select(_ => "---|")));
            for (var i = 0; i < rounds.Count; i++)
            {
                sb.AppendLine($"| {i + 1} | " + string.Join(" | ", rounds[i]) + " |");
            }
        }
        if (Notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var n in Notes)
            {
                sb.AppendLine("- " + n);
            }
        }
        if (Problems.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Correctness problems:");
            foreach (var p in Problems)
            {
                sb.AppendLine("- " + p);
            }
        }
        return sb.ToString();
    }
}
