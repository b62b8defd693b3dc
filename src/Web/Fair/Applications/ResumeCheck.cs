using System.IO.Compression;
using System.Text;

namespace Events.Web.Fair.Applications;

/// <summary>
/// What a resume must be: a PDF by its bytes (it starts with <c>%PDF-</c> and ends with
/// <c>%%EOF</c>), whatever its name says, with nothing active in it: no JavaScript, no launch or
/// submit actions, no embedded files, no XFA forms, looked for in the file and inside its
/// compressed streams (inflated up to a bound, so a compressed bomb is refused, not unpacked).
/// </summary>
public static class ResumeCheck
{
    public const long MostBytes = 5 * 1024 * 1024;
    private const long MostInflated = 40 * 1024 * 1024;

    private static readonly string[] Active = ["/JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData", "/EmbeddedFile", "/RichMedia", "/XFA"];

    /// <summary>Null when the file is a PDF a company may open; otherwise the key of what is wrong ("fair.resume.*").</summary>
    public static string? Problem(ReadOnlySpan<byte> file)
    {
        if (file.Length == 0)
        {
            return "fair.resume.empty";
        }
        if (file.Length > MostBytes)
        {
            return "fair.resume.toolarge";
        }
        if (!file.StartsWith("%PDF-"u8))
        {
            return "fair.resume.notpdf";
        }
        var tail = file[Math.Max(0, file.Length - 1024)..];
        if (tail.IndexOf("%%EOF"u8) < 0)
        {
            return "fair.resume.notpdf";
        }
        if (HasActive(file))
        {
            return "fair.resume.active";
        }
        long inflated = 0;
        var at = 0;
        while (true)
        {
            var start = file[at..].IndexOf("stream"u8);
            if (start < 0)
            {
                return null;
            }
            start += at + "stream".Length;
            // The keyword is followed by CRLF or LF; "endstream" ends the data.
            if (start < file.Length && file[start] == '\r')
            {
                start++;
            }
            if (start < file.Length && file[start] == '\n')
            {
                start++;
            }
            var end = file[start..].IndexOf("endstream"u8);
            if (end < 0)
            {
                return null;
            }
            var data = file.Slice(start, end);
            at = start + end + "endstream".Length;
            if (data.Length < 2 || data[0] != 0x78)
            {
                continue;
            }
            switch (Inflate(data, MostInflated - inflated, out var text))
            {
                case null:
                    continue;
                case false:
                    return "fair.resume.toolarge";
            }
            inflated += text!.Length;
            if (HasActive(text))
            {
                return "fair.resume.active";
            }
        }
    }

    private static bool HasActive(ReadOnlySpan<byte> bytes)
    {
        foreach (var name in Active)
        {
            var key = Encoding.ASCII.GetBytes(name);
            var from = 0;
            while (from < bytes.Length)
            {
                var i = bytes[from..].IndexOf(key);
                if (i < 0)
                {
                    break;
                }
                var after = from + i + key.Length;
                // A name ends at a delimiter or whitespace: "/JS" is not "/JSON".
                if (after >= bytes.Length || !char.IsAsciiLetterOrDigit((char)bytes[after]))
                {
                    return true;
                }
                from = after;
            }
        }
        return false;
    }

    /// <summary>True with the inflated bytes; false when they would pass <paramref name="room"/>; null when the data is not zlib.</summary>
    private static bool? Inflate(ReadOnlySpan<byte> data, long room, out byte[]? text)
    {
        text = null;
        try
        {
            using var input = new MemoryStream(data.ToArray());
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = zlib.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > room)
                {
                    return false;
                }
                output.Write(buffer, 0, read);
            }
            text = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
