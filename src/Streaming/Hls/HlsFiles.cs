using System.Text.RegularExpressions;

namespace Events.Streaming.Hls;

/// <summary>The names an encoder may push (what ffmpeg's hls muxer writes), and their first bytes.</summary>
public static partial class HlsFiles
{
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\.(m3u8|ts|m4s|mp4)$")]
    private static partial Regex NamePattern();

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static bool IsPlaylist(string name) => name.EndsWith(".m3u8", StringComparison.Ordinal);

    public static bool IsMediaFile(string name) => IsValidName(name) && !IsPlaylist(name);

    /// <summary>
    /// Whether a segment's first bytes are what its name says: an MPEG transport stream starts each
    /// 188-byte packet with 0x47; fMP4 (init section or media segment) starts with an ISO box.
    /// </summary>
    public static bool LooksLike(string name, ReadOnlySpan<byte> head)
    {
        if (name.EndsWith(".ts", StringComparison.Ordinal))
        {
            return head.Length > 0 && head[0] == 0x47 && (head.Length <= 188 || head[188] == 0x47);
        }
        if (head.Length < 8)
        {
            return false;
        }
        var box = System.Text.Encoding.ASCII.GetString(head.Slice(4, 4));
        return box is "ftyp" or "styp" or "moof" or "sidx" or "moov";
    }
}
