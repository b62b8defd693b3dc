using System.Globalization;
using System.Text;

namespace Events.Load;

/// <summary>Collects result rows and prints them as the Markdown table kept in docs/benchmarks.md.</summary>
public sealed class Report
{
    private readonly List<(string Scenario, string Parameters, string Figures, string Baseline, string Ratio)> rows = [];

    public bool Failed { get; private set; }

    public List<string> Problems { get; } = [];

    public void Add(string scenario, string parameters, string figures, string baseline = "", string ratio = "") =>
        rows.Add((scenario, parameters, figures, baseline, ratio));

    /// <summary>Records a correctness failure (a lost or doubly counted vote, a dropped viewer); the run exits non-zero.</summary>
    public void Check(bool ok, string problem)
    {
        if (!ok)
        {
            Failed = true;
            Problems.Add(problem);
        }
    }

    public static string F(double value, int decimals = 0) => double.IsNaN(value) ? "n/a" : value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    public static string Ratio(double ours, double baseline) => baseline > 0 && !double.IsNaN(ours) ? (ours / baseline).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

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
