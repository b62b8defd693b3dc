using System.Text;

namespace Events.Streaming.Hls;

/// <summary>
/// A multivariant playlist (a rendition ladder): the media playlists it names, each a file beside
/// it (no paths, no URLs), in its order; the first is the one the broadcast's length follows.
/// </summary>
public sealed record HlsMaster(IReadOnlyList<string> Variants)
{
    /// <summary>Null for a playlist that is not multivariant; otherwise the ladder, or why it is refused.</summary>
    public static (HlsMaster? Master, string? Error)? Parse(ReadOnlySpan<byte> bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        if (!text.Contains("#EXT-X-STREAM-INF", StringComparison.Ordinal))
        {
            return null;
        }
        if (!text.TrimStart('\uFEFF').StartsWith("#EXTM3U", StringComparison.Ordinal))
        {
            return (null, "A playlist must start with #EXTM3U.");
        }
        var variants = new List<string>();
        var expectUri = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXT-X-STREAM-INF", StringComparison.Ordinal))
            {
                expectUri = true;
            }
            else if (line.Length > 0 && !line.StartsWith('#') && expectUri)
            {
                if (!HlsFiles.IsValidName(line) || !HlsFiles.IsPlaylist(line))
                {
                    return (null, $"A multivariant playlist may name only media playlists beside it, not '{line}'.");
                }
                variants.Add(line);
                expectUri = false;
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                return (null, $"'{line}' follows no #EXT-X-STREAM-INF.");
            }
        }
        return variants.Count == 0 ? (null, "A multivariant playlist must name at least one rendition.") : (new HlsMaster(variants), null);
    }
}
