using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Events.Web.Content;

/// <summary>
/// One Markdown file split into its front matter (as YAML nodes, so values keep their original text
/// and no YAML type guessing happens) and its body. Problems are reported, not thrown.
/// </summary>
internal sealed class ContentFile
{
    // Invalid bytes must be reported, not silently replaced with U+FFFD in a published page.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ContentFile(string displayPath, string slug, IReadOnlyDictionary<string, YamlNode> fields, string body)
    {
        DisplayPath = displayPath;
        Slug = slug;
        Fields = fields;
        Body = body;
    }

    /// <summary>The path as an author sees it, e.g. <c>content/events/x.md</c>; starts every problem about this file.</summary>
    public string DisplayPath { get; }

    public string Slug { get; }

    public IReadOnlyDictionary<string, YamlNode> Fields { get; }

    public string Body { get; }

    /// <summary>One entry of a list of key sets in <paramref name="parent"/> (a company's position), read like a file of its own; problems name the entry.</summary>
    public static ContentFile Entry(ContentFile parent, string label, IReadOnlyDictionary<string, YamlNode> fields) =>
        new($"{parent.DisplayPath} ({label})", parent.Slug, fields, "");

    public static ContentFile? Read(string fullPath, string displayPath, string slug, List<string> problems)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(File.ReadAllBytes(fullPath));
        }
        catch (DecoderFallbackException)
        {
            problems.Add($"{displayPath}: is not valid UTF-8");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{displayPath}: could not be read: {e.Message}");
            return null;
        }

        return Parse(text, displayPath, slug, problems);
    }

    public static ContentFile? Parse(string text, string displayPath, string slug, List<string> problems)
    {
        text = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = text.Split('\n');
        if (lines[0].TrimEnd() != "---")
        {
            problems.Add($"{displayPath}: missing front matter (the file must start with a '---' line)");
            return null;
        }

        var closing = Array.FindIndex(lines, 1, line => line.TrimEnd() == "---");
        if (closing < 0)
        {
            problems.Add($"{displayPath}: front matter is not closed by a '---' line");
            return null;
        }

        var fields = ParseYaml(string.Join('\n', lines[1..closing]), displayPath, problems);
        if (fields is null)
        {
            return null;
        }

        return new ContentFile(displayPath, slug, fields, string.Join('\n', lines[(closing + 1)..]));
    }

    private static Dictionary<string, YamlNode>? ParseYaml(string yaml, string displayPath, List<string> problems)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // YAML lines count from the line after the opening '---'; authors count from the top of the file.
            var line = e.Start.Line + 1;
            var message = e.Message.StartsWith("Duplicate key ", StringComparison.Ordinal)
                ? $"key '{e.Message["Duplicate key ".Length..]}' appears twice (line {line})"
                : $"front matter is not valid YAML (line {line}): {e.Message}";
            problems.Add($"{displayPath}: {message}");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed flow collections this way instead of as YamlException.
            problems.Add($"{displayPath}: front matter is not valid YAML: {e.Message}");
            return null;
        }

        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0)
        {
            return fields;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
        {
            problems.Add($"{displayPath}: front matter must be 'key: value' lines");
            return null;
        }

        var ok = true;
        foreach (var (key, value) in mapping.Children)
        {
            if (key is YamlScalarNode { Value: { Length: > 0 } name })
            {
                fields[name] = value;
            }
            else
            {
                problems.Add($"{displayPath}: front matter has a key that is not a name (line {key.Start.Line + 1})");
                ok = false;
            }
        }

        return ok ? fields : null;
    }
}
