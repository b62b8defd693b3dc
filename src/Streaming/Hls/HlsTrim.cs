using System.Globalization;
using System.Text;

namespace Events.Streaming.Hls;

/// <summary>
/// Cuts a finished media playlist to the segments that overlap a window, without touching the
/// segments (which stay where they are, immutable and cached): the cut falls on segment edges, so a
/// trim is exact to a segment (2 s with the platform's encoders). What the new playlist shows
/// starts at <see cref="Offset"/> seconds of the original and lasts <see cref="Seconds"/>.
/// </summary>
public sealed record HlsTrim(string Text, double Offset, double Seconds)
{
    /// <summary>The playlist kept between <paramref name="from"/> and <paramref name="to"/> (null for the end), or null when no segment overlaps.</summary>
    public static HlsTrim? Cut(string playlist, double from, double? to)
    {
        var header = new StringBuilder();
        var kept = new StringBuilder();
        var pending = new List<string>();
        string? map = null;
        double at = 0, offset = -1, seconds = 0, duration = 0;
        var inSegments = false;
        foreach (var raw in playlist.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line == HlsPlaylist.EndTag)
            {
                continue;
            }
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                inSegments = true;
                var value = line["#EXTINF:".Length..].Split(',')[0];
                duration = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;
                pending.Add(line);
            }
            else if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                map = line;
            }
            else if (line.StartsWith('#'))
            {
                if (!inSegments && !line.StartsWith("#EXT-X-PLAYLIST-TYPE", StringComparison.Ordinal) && !line.StartsWith("#EXT-X-MEDIA-SEQUENCE", StringComparison.Ordinal))
                {
                    header.Append(line).Append('\n');
                }
                else if (inSegments)
                {
                    pending.Add(line);
                }
            }
            else
            {
                // A segment's URI ends its entry.
                var start = at;
                at += duration;
                if (start < (to ?? double.MaxValue) && at > from && duration > 0)
                {
                    if (offset < 0)
                    {
                        offset = start;
                    }
                    foreach (var tag in pending.Where(t => !t.StartsWith("#EXT-X-DISCONTINUITY", StringComparison.Ordinal) || kept.Length > 0))
                    {
                        kept.Append(tag).Append('\n');
                    }
                    kept.Append(line).Append('\n');
                    seconds += duration;
                }
                pending.Clear();
            }
        }
        if (offset < 0)
        {
            return null;
        }
        var text = new StringBuilder();
        text.Append(header);
        text.Append("#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n");
        if (map is not null)
        {
            text.Append(map).Append('\n');
        }
        text.Append(kept).Append(HlsPlaylist.EndTag).Append('\n');
        return new HlsTrim(text.ToString(), Math.Round(offset, 3), Math.Round(seconds, 3));
    }
}
