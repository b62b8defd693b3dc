using System.Globalization;
using System.Text;

namespace Events.Streaming.Hls;

/// <summary>
/// What the origin needs from a media playlist pushed by an encoder: the files it names (segments
/// and the fMP4 init section), its length in seconds and whether it is complete (<c>#EXT-X-ENDLIST</c>).
/// Only playlists that name files beside them are taken: no URLs, no paths.
/// <see cref="FirstSegmentSeconds"/> is the first segment's length (0 when there is none).
/// </summary>
public sealed record HlsPlaylist(IReadOnlyList<string> Files, double Seconds, bool Ended, double FirstSegmentSeconds)
{
    public const string EndTag = "#EXT-X-ENDLIST";

    /// <summary>The playlist, or the reason it is not one the origin takes.</summary>
    public static (HlsPlaylist? Playlist, string? Error) Parse(ReadOnlySpan<byte> bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return (null, "A playlist must be UTF-8 text.");
        }
        var lines = text.Split('\n', StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || lines[0].TrimStart('\uFEFF') != "#EXTM3U")
        {
            return (null, "A playlist must start with #EXTM3U.");
        }
        if (text.Contains("#EXT-X-STREAM-INF", StringComparison.Ordinal))
        {
            return (null, "Push the media playlist of each rendition, not a multivariant playlist.");
        }
        var files = new List<string>();
        double seconds = 0;
        double? first = null;
        var ended = false;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..].Split(',')[0];
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || d < 0 || d > 3600)
                {
                    return (null, $"'{line}' has no valid duration.");
                }
                seconds += d;
                first ??= d;
            }
            else if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                var start = line.IndexOf("URI=\"", StringComparison.Ordinal);
                var end = start < 0 ? -1 : line.IndexOf('"', start + 5);
                if (end < 0)
                {
                    return (null, $"'{line}' has no URI.");
                }
                var uri = line[(start + 5)..end];
                if (!HlsFiles.IsMediaFile(uri))
                {
                    return (null, $"'{uri}' is not a file beside the playlist.");
                }
                files.Add(uri);
            }
            else if (line == EndTag)
            {
                ended = true;
            }
            else if (!line.StartsWith('#'))
            {
                if (!HlsFiles.IsMediaFile(line))
                {
                    return (null, $"'{line}' is not a segment beside the playlist.");
                }
                files.Add(line);
            }
        }
        return (new HlsPlaylist(files, seconds, ended, first ?? 0), null);
    }
}
