using System.Globalization;

namespace Events.Web.Localization;

/// <summary>
/// The interface's words in English and Chinese. Every key is one row holding both languages,
/// so a string cannot exist in one language only. Unknown keys show as the key itself,
/// which a page test would notice.
/// </summary>
public sealed class UiText
{
    public bool IsChinese => CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);

    public string HtmlLang => IsChinese ? "zh-CN" : "en";

    public string this[string key] => UiStrings.Table.TryGetValue(key, out var row) ? (IsChinese ? row.Zh : row.En) : key;

    /// <summary>Whether the table has a string for the key.</summary>
    public bool Has(string key) => UiStrings.Table.ContainsKey(key);

    public string Format(string key, params object[] args) => string.Format(CultureInfo.CurrentCulture, this[key], args);

    /// <summary>A date and time in the event's own offset, written for the reader's language.</summary>
    public string When(DateTimeOffset at) =>
        IsChinese
            ? at.ToString("yyyy年M月d日 ddd HH:mm", CultureInfo.GetCultureInfo("zh-CN")) + $"（UTC{Offset(at)}）"
            : at.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.GetCultureInfo("en-GB")) + $" (UTC{Offset(at)})";

    public string Day(DateTimeOffset at) =>
        IsChinese ? at.ToString("yyyy年M月d日", CultureInfo.GetCultureInfo("zh-CN")) : at.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    public string Time(DateTimeOffset at) => at.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string Offset(DateTimeOffset at) =>
        at.Offset.Minutes == 0 ? (at.Offset < TimeSpan.Zero ? "-" : "+") + Math.Abs(at.Offset.Hours) : at.ToString("zzz", CultureInfo.InvariantCulture);

    /// <summary>The client script's strings for the current language, keyed without the "js." prefix.</summary>
    public IReadOnlyDictionary<string, string> ClientStrings() =>
        UiStrings.Table.Where(kv => kv.Key.StartsWith("js.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[3..], kv => IsChinese ? kv.Value.Zh : kv.Value.En);
}
