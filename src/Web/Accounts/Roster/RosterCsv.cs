using System.Buffers;
using System.Text;

namespace Events.Web.Accounts.Roster;

/// <summary>A row of a roster file as read, before it is checked.</summary>
public readonly record struct CsvRecord(long Line, string[] Fields);

/// <summary>
/// Reads a CSV file (RFC 4180: comma-separated, fields in double quotes may hold commas, quotes
/// doubled and line breaks) as a stream, one record at a time, so a file of any size costs the
/// memory of one line. Physical lines are split on the byte '\n' (never part of a UTF-8 sequence)
/// and each is decoded strictly, so text that is not UTF-8 is named by its line. A UTF-8 byte
/// order mark is skipped; a UTF-16 one, and any line longer than <see cref="MaxLineBytes"/>, are
/// reported rather than read.
/// </summary>
public sealed class RosterCsv(Stream stream)
{
    public const int MaxLineBytes = 16 * 1024;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private bool eof;
    private long line;
    private bool first = true;

    /// <summary>Set when reading stopped for good: the text is not UTF-8 from <see cref="Line"/> on.</summary>
    public RosterProblem? Fatal { get; private set; }

    /// <summary>The next record, or a problem of its line (too long, an unclosed quote); null at the end of the file or after <see cref="Fatal"/>.</summary>
    public async ValueTask<(CsvRecord? Record, RosterProblem? Problem)> ReadAsync(CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var inField = false;
        long recordLine = 0;
        while (true)
        {
            var physical = await ReadLineAsync(cancellationToken);
            if (physical.Kind == LineKind.End)
            {
                if (recordLine == 0)
                {
                    return (null, null);
                }
                return (null, new RosterProblem(recordLine, RosterProblem.UnclosedQuote));
            }
            if (physical.Kind == LineKind.TooLong)
            {
                // The record it belonged to is lost with it.
                return (null, new RosterProblem(recordLine == 0 ? physical.Line : recordLine, RosterProblem.TooLong));
            }
            if (physical.Kind == LineKind.NotUtf8)
            {
                Fatal = new RosterProblem(physical.Line, RosterProblem.NotUtf8);
                return (null, null);
            }
            if (recordLine == 0)
            {
                recordLine = physical.Line;
                if (physical.Text.Length == 0)
                {
                    // A blank line is no record.
                    recordLine = 0;
                    continue;
                }
            }
            else
            {
                field.Append('\n');
            }
            var text = physical.Text;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    inField = false;
                }
                else if (c == '"' && !inField)
                {
                    quoted = true;
                    inField = true;
                }
                else
                {
                    field.Append(c);
                    inField = true;
                }
            }
            if (quoted)
            {
                if (field.Length > MaxLineBytes)
                {
                    return (null, new RosterProblem(recordLine, RosterProblem.TooLong));
                }
                continue;
            }
            fields.Add(field.ToString());
            return (new CsvRecord(recordLine, fields.ToArray()), null);
        }
    }

    private enum LineKind { Text, End, TooLong, NotUtf8 }

    private readonly record struct PhysicalLine(LineKind Kind, long Line, string Text);

    private async ValueTask<PhysicalLine> ReadLineAsync(CancellationToken cancellationToken)
    {
        if (Fatal is not null)
        {
            return new PhysicalLine(LineKind.End, line, "");
        }
        var skipping = false;
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0 || (eof && end > start))
            {
                var stop = newline >= 0 ? newline : end;
                line++;
                var bytes = buffer.AsSpan(start, stop - start);
                start = newline >= 0 ? newline + 1 : end;
                if (skipping)
                {
                    return new PhysicalLine(LineKind.TooLong, line, "");
                }
                return Decode(bytes);
            }
            if (eof)
            {
                return skipping ? new PhysicalLine(LineKind.TooLong, ++line, "") : new PhysicalLine(LineKind.End, line, "");
            }
            if (end - start >= MaxLineBytes)
            {
                // Longer than any roster line: dropped up to its end without being held.
                skipping = true;
                start = end = 0;
            }
            else if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0)
            {
                eof = true;
            }
            end += read;
        }
    }

    private PhysicalLine Decode(Span<byte> bytes)
    {
        if (first)
        {
            first = false;
            if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
            {
                Fatal = new RosterProblem(line, RosterProblem.Utf16);
                return new PhysicalLine(LineKind.End, line, "");
            }
            if (bytes is [0xEF, 0xBB, 0xBF, ..])
            {
                bytes = bytes[3..];
            }
        }
        if (bytes is [.., (byte)'\r'])
        {
            bytes = bytes[..^1];
        }
        try
        {
            return new PhysicalLine(LineKind.Text, line, Strict.GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            return new PhysicalLine(LineKind.NotUtf8, line, "");
        }
    }
}
