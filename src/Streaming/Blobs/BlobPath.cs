using System.Text.RegularExpressions;

namespace Events.Streaming.Blobs;

/// <summary>
/// A blob's name: segments of letters, digits, '.', '_' and '-' joined by '/', none empty, none
/// starting with a dot (so no "..", no hidden files), at most 512 characters. The same rule holds
/// for the local folder and for Azure, so a name valid on one is valid on the other.
/// </summary>
public static partial class BlobPath
{
    public const int MaxLength = 512;

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]*$")]
    private static partial Regex SegmentPattern();

    public static bool IsValid(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength)
        {
            return false;
        }
        foreach (var segment in path.Split('/'))
        {
            if (!SegmentPattern().IsMatch(segment))
            {
                return false;
            }
        }
        return true;
    }

    public static string Check(string path) =>
        IsValid(path) ? path : throw new ArgumentException($"'{path}' is not a valid blob name (letters, digits, '.', '_', '-' in '/'-separated parts, none starting with '.').", nameof(path));

    /// <summary>The type served for a blob, from its extension (ffmpeg's PUTs carry none).</summary>
    public static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".m3u8" => "application/vnd.apple.mpegurl",
        ".ts" => "video/mp2t",
        ".m4s" => "video/iso.segment",
        ".mp4" => "video/mp4",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".vtt" => "text/vtt",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}
