using System.Globalization;
using System.Text;

namespace Events.Web.Accounts;

/// <summary>Why a display name is refused.</summary>
public enum NameProblem
{
    /// <summary>Empty, or longer than 40 characters.</summary>
    Length,

    /// <summary>Control, format (zero-width, bidirectional overrides and isolates), private-use, unassigned or blank-looking characters.</summary>
    Invisible,

    /// <summary>Reads as the alumni office or a staff title ("Alumni Office", "校友办", "Moderator"), look-alike letters included.</summary>
    Staff,
}

/// <summary>
/// What a member may call themselves. A name is compared after folding: compatibility forms
/// (full-width letters), case, and letters that look alike across scripts (Cyrillic "а", Greek "ο",
/// the digit "0") become one, and spaces and punctuation between them are dropped; what remains
/// may not be or contain a staff name. Staff may use such names (the seeded administrator does).
/// </summary>
public static class DisplayNameRules
{
    public const int MaxLength = 40;

    /// <summary>Staff names matched anywhere in the folded name.</summary>
    private static readonly string[] Phrases =
    [
        "alumnioffice", "alumniassociation", "alumnilive", "alumniteam", "administrator", "moderator", "organizer", "organiser", "official",
        "校友办", "校友辦", "校友部", "校友会", "校友會", "校友总会", "校友總會", "校友在线", "校友在線", "主办方", "主辦方", "管理员", "管理員", "官方", "客服",
    ];

    /// <summary>Short titles refused only as a whole word ("Admin Li" but not "Badminton").</summary>
    private static readonly HashSet<string> Words = ["admin", "mod", "staff", "system", "support", "host"];

    /// <summary>Letters that look like Latin ones, and digits read as letters, folded to the Latin letter they imitate.</summary>
    private static readonly Dictionary<char, char> LookAlike = new()
    {
        ['а'] = 'a', ['е'] = 'e', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['у'] = 'y', ['х'] = 'x', ['і'] = 'i', ['ј'] = 'j',
        ['ѕ'] = 's', ['ԁ'] = 'd', ['һ'] = 'h', ['ӏ'] = 'i', ['к'] = 'k', ['м'] = 'm', ['т'] = 't', ['в'] = 'b', ['н'] = 'h', ['ո'] = 'n',
        ['α'] = 'a', ['ο'] = 'o', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ρ'] = 'p', ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ε'] = 'e', ['μ'] = 'u',
        ['ı'] = 'i', ['ł'] = 'i', ['ɑ'] = 'a', ['ɡ'] = 'g', ['ɩ'] = 'i',
        ['0'] = 'o', ['1'] = 'i', ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['7'] = 't', ['8'] = 'b', ['@'] = 'a', ['$'] = 's', ['|'] = 'i', ['!'] = 'i',
        // "l" and "I" are one letter in most fonts: both fold to "i".
        ['l'] = 'i',
    };

    public static NameProblem? Check(string name, bool staff = false)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > MaxLength)
        {
            return NameProblem.Length;
        }
        foreach (var rune in trimmed.EnumerateRunes())
        {
            if (IsInvisible(rune))
            {
                return NameProblem.Invisible;
            }
        }
        if (!trimmed.EnumerateRunes().Any(r => Rune.IsLetterOrDigit(r) || Rune.GetUnicodeCategory(r) is UnicodeCategory.OtherSymbol))
        {
            return NameProblem.Invisible;
        }
        return !staff && ImitatesStaff(trimmed) ? NameProblem.Staff : null;
    }

    public static bool ImitatesStaff(string name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var folded = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormKC).ToLowerInvariant())
        {
            var f = LookAlike.GetValueOrDefault(c, c);
            if (char.IsLetterOrDigit(f))
            {
                word.Append(f);
                folded.Append(f);
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }
        // "rn" reads as "m" and "vv" as "w".
        var text = folded.ToString().Replace("rn", "m").Replace("vv", "w");
        return Phrases.Any(p => text.Contains(Fold(p), StringComparison.Ordinal)) || words.Any(w => Words.Any(s => Fold(s) == w));
    }

    private static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            folded.Append(LookAlike.GetValueOrDefault(c, c));
        }
        return folded.ToString();
    }

    private static bool IsInvisible(Rune rune)
    {
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
            case UnicodeCategory.Surrogate:
            case UnicodeCategory.PrivateUse:
            case UnicodeCategory.OtherNotAssigned:
            case UnicodeCategory.LineSeparator:
            case UnicodeCategory.ParagraphSeparator:
                return true;
            case UnicodeCategory.SpaceSeparator:
                // One kind of space each in Latin and CJK text; the others are used to fake blanks.
                return rune.Value is not (' ' or '\u3000');
        }
        // Fillers and blanks that are letters or symbols by category but show nothing.
        return rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x180E or 0x034F or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF);
    }
}
