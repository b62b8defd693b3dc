using System.Globalization;
using System.Text;

namespace Events.Web.Accounts.Roster;

/// <summary>How a name typed by a member is compared with the roster's.</summary>
public static class RosterNames
{
    /// <summary>
    /// The name in compatibility form (full-width letters as ASCII), without spaces, middle dots,
    /// periods, hyphens or commas, in lower case: "Li  Wei", "li wei" and "ＬＩ　ＷＥＩ" are one name, as are "张 三" and "张三".
    /// </summary>
    public static string Key(string name)
    {
        var normalized = name.Normalize(NormalizationForm.FormKC);
        var key = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (char.IsWhiteSpace(c) || c is '·' or '・' or '.' or '•' or '‧' or '-' or ',' or '，')
            {
                continue;
            }
            key.Append(char.ToLowerInvariant(c));
        }
        return key.ToString();
    }

    /// <summary>A student number as typed, in the roster's form: trimmed, full-width digits as ASCII, upper case.</summary>
    public static string Number(string number) => number.Normalize(NormalizationForm.FormKC).Trim().ToUpper(CultureInfo.InvariantCulture);
}
