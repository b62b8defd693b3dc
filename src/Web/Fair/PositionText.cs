using System.Globalization;
using Events.Web.Content;
using Events.Web.Localization;

namespace Events.Web.Fair;

/// <summary>How a position's degree, salary and deadline read in each language.</summary>
public static class PositionText
{
    public static string Degree(UiText t, Degree degree) => t["fair.degree." + degree.ToString().ToLowerInvariant()];

    /// <summary>"CNY 9,000–18,000 a month", "9,000–18,000 元/月"; null without a salary.</summary>
    public static string? Salary(UiText t, PositionItem p)
    {
        if (p.SalaryMin is not { } min || p.SalaryMax is not { } max)
        {
            return null;
        }
        var range = min == max ? min.ToString("N0", CultureInfo.InvariantCulture) : $"{min.ToString("N0", CultureInfo.InvariantCulture)}–{max.ToString("N0", CultureInfo.InvariantCulture)}";
        return t.IsChinese
            ? (p.Currency == "CNY" ? $"{range} 元/月" : $"{p.Currency} {range}/月")
            : $"{p.Currency} {range} a month";
    }

    /// <summary>"5 Dec 2026", "2026年12月5日".</summary>
    public static string Day(UiText t, DateOnly day) =>
        t.IsChinese ? $"{day.Year}年{day.Month}月{day.Day}日" : day.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>"Apply by 5 Dec 2026", "截止 2026年12月5日"; null without a deadline.</summary>
    public static string? Deadline(UiText t, PositionItem p) =>
        p.Deadline is not { } day ? null
        : t.IsChinese ? $"{Day(t, day)}截止" : $"Apply by {Day(t, day)}";
}
