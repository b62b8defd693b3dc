using System.Text;

namespace Events.Silo;

/// <summary>
/// What text people may send: no control characters but line breaks and tabs, and well-formed
/// UTF-16 (no lone surrogates). PostgreSQL refuses NUL and no encoder can write a lone surrogate,
/// so one such message would fail its whole batch; it is refused alone, before batching.
/// </summary>
public static class TextRules
{
    public static bool IsClean(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsControl(rune) && rune.Value is not ('\n' or '\r' or '\t'))
            {
                return false;
            }
        }
        // EnumerateRunes reads a lone surrogate as U+FFFD, so surrogates are checked on the chars.
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }
}
