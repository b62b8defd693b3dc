using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Events.Web.Content;

/// <summary>
/// Reads typed values from one item's English file and optional Chinese file, recording a problem for
/// every value that is missing or malformed instead of stopping at the first. When
/// <see cref="Failed"/> is true the values returned are placeholders and the item must be discarded.
/// </summary>
internal sealed partial class FieldReader(ContentFile en, ContentFile? zh, List<string> problems, FieldReader? parent = null)
{
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex EntryIdPattern();

    // DateTimeOffset.TryParse alone would accept "2026-09-01 09:00" and silently use the server's offset;
    // a session time must mean the same moment wherever the site runs.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoWithOffset();

    public string Slug => en.Slug;

    /// <summary>The <c>id</c> of an entry read by <see cref="Entries"/>.</summary>
    public string EntryId => en.Fields.TryGetValue("id", out var node) && node is YamlScalarNode { Value: { } id } ? id.Trim() : "";

    public bool Failed { get; private set; }

    public void Problem(string message) => Problem(en, message);

    public string Text(string key) => ReadText(en, key, required: true) ?? "";

    public string? OptionalText(string key) => ReadText(en, key, required: false);

    /// <summary>English is required; Chinese falls back to English when the .zh.md lacks the key or does not exist.</summary>
    public Localized Localized(string key)
    {
        var english = ReadText(en, key, required: true) ?? "";
        var chinese = zh is null ? null : ReadText(zh, key, required: false);
        return new Localized(english, chinese ?? english);
    }

    /// <summary>Like <see cref="Localized(string)"/> for a key that may be absent (then null).</summary>
    public Localized? OptionalLocalized(string key)
    {
        if (ReadText(en, key, required: false) is not { } english)
        {
            return null;
        }
        var chinese = zh is null ? null : ReadText(zh, key, required: false);
        return new Localized(english, chinese ?? english);
    }

    public IReadOnlyList<string> List(string key) => ReadList(en, key, required: true) ?? [];

    /// <summary>Whether the English file has the key at all.</summary>
    public bool Has(string key) => en.Fields.ContainsKey(key);

    /// <summary>A list that may be absent (then empty).</summary>
    public IReadOnlyList<string> OptionalList(string key) => ReadList(en, key, required: false) ?? [];

    public LocalizedList LocalizedList(string key)
    {
        var english = ReadList(en, key, required: true) ?? [];
        var chinese = zh is null ? null : ReadList(zh, key, required: false);
        return new LocalizedList(english, chinese ?? english);
    }

    /// <summary>
    /// An optional list whose Chinese file, if it has the key, translates it entry for entry (the
    /// same count, in the same order): the entries are one thing in two languages.
    /// </summary>
    public LocalizedList OptionalLocalizedList(string key)
    {
        var english = ReadList(en, key, required: false) ?? [];
        var chinese = zh is null ? null : ReadList(zh, key, required: false);
        if (chinese is not null && chinese.Count != english.Count)
        {
            Problem(zh!, $"'{key}' has {chinese.Count} entries, the English file {english.Count}: translate each, in the same order");
            chinese = null;
        }
        return new LocalizedList(english, chinese ?? english);
    }

    public DateTimeOffset Date(string key)
    {
        var text = Text(key);
        if (text.Length == 0)
        {
            return default;
        }

        if (IsoWithOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }

        Problem($"'{key}' is not a date with an offset, like 2026-09-01T09:00:00+08:00: '{text}'");
        return default;
    }

    public int Int(string key, int? fallback = null)
    {
        var text = ReadText(en, key, required: fallback is null);
        if (text is null)
        {
            return fallback ?? 0;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Problem($"'{key}' is not a whole number: '{text}'");
        return 0;
    }

    /// <summary>One of a fixed set of words, matched exactly (lower case as written in the docs).</summary>
    public T OneOf<T>(string key, IReadOnlyDictionary<string, T> allowed)
        where T : notnull
    {
        var text = Text(key);
        if (text.Length == 0)
        {
            return default!;
        }

        if (allowed.TryGetValue(text, out var value))
        {
            return value;
        }

        Problem($"'{key}' must be one of {string.Join(", ", allowed.Keys)}, not '{text}'");
        return default!;
    }

    /// <summary>An absolute URL with one of <paramref name="schemes"/>; returns the text as written.</summary>
    public string? Url(string key, bool required, params string[] schemes)
    {
        var text = ReadText(en, key, required);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase)
            && uri.Host.Length > 0)
        {
            return text;
        }

        Problem($"'{key}' must be an {string.Join(" or ", schemes)} URL, not '{text}'");
        return null;
    }

    /// <summary>The body as safe HTML; the Chinese body falls back to the English one when it is blank.</summary>
    public Localized Body()
    {
        var english = SafeMarkdown.ToHtml(en.Body);
        var chinese = zh is null || string.IsNullOrWhiteSpace(zh.Body) ? english : SafeMarkdown.ToHtml(zh.Body);
        return new Localized(english, chinese);
    }

    private void Problem(ContentFile file, string message)
    {
        problems.Add($"{file.DisplayPath}: {message}");
        MarkFailed();
    }

    private void MarkFailed()
    {
        Failed = true;
        parent?.MarkFailed();
    }

    /// <summary>A day without a time, like 2026-12-05, or null when the key is absent.</summary>
    public DateOnly? OptionalDay(string key)
    {
        if (ReadText(en, key, required: false) is not { } text)
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        Problem($"'{key}' is not a day like 2026-12-05: '{text}'");
        return null;
    }

    /// <summary>A whole number of at least <paramref name="least"/>, or null when the key is absent.</summary>
    public int? OptionalInt(string key, int least)
    {
        if (ReadText(en, key, required: false) is null)
        {
            return null;
        }
        var value = Int(key);
        if (value < least)
        {
            Problem($"'{key}' must be at least {least}: {value}");
            return null;
        }
        return value;
    }

    /// <summary>
    /// Each entry of a list of key sets (a company's positions), as a reader of its own. Every entry
    /// has an <c>id</c> (a slug, unique in the list) and only <paramref name="allowed"/> keys; the
    /// Chinese file's entry with the same id translates it, with <paramref name="translatable"/> keys
    /// only. Problems name the file and the entry.
    /// </summary>
    public IReadOnlyList<FieldReader> Entries(string key, IReadOnlyCollection<string> allowed, IReadOnlyCollection<string> translatable)
    {
        var english = ReadEntries(en, key, required: true, allowed);
        var chinese = zh is null ? null : ReadEntries(zh, key, required: false, translatable);
        var readers = new List<FieldReader>();
        foreach (var (id, fields) in english)
        {
            var translated = chinese?.FirstOrDefault(c => c.Id == id).Fields;
            readers.Add(new FieldReader(ContentFile.Entry(en, $"{key} '{id}'", fields), translated is null ? null : ContentFile.Entry(zh!, $"{key} '{id}'", translated), problems, this));
        }
        foreach (var (id, _) in chinese ?? [])
        {
            if (english.All(e => e.Id != id))
            {
                Problem(zh!, $"'{key}' has an entry '{id}' that the English file does not have");
            }
        }
        return readers;
    }

    private List<(string Id, Dictionary<string, YamlNode> Fields)> ReadEntries(ContentFile file, string key, bool required, IReadOnlyCollection<string> allowed)
    {
        var entries = new List<(string, Dictionary<string, YamlNode>)>();
        if (!file.Fields.TryGetValue(key, out var node))
        {
            if (required)
            {
                Problem(file, $"required key '{key}' is missing");
            }
            return entries;
        }
        if (node is YamlScalarNode scalar && IsNull(scalar))
        {
            return entries;
        }
        if (node is not YamlSequenceNode sequence)
        {
            Problem(file, $"'{key}' must be a list of entries ('- id: ...' lines), not {Describe(node)}");
            return entries;
        }
        foreach (var child in sequence.Children)
        {
            if (child is not YamlMappingNode mapping)
            {
                Problem(file, $"'{key}' has an entry that is not a set of keys (line {child.Start.Line + 1})");
                continue;
            }
            var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (name, value) in mapping.Children)
            {
                var text = (name as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(text) && text != "id")
                {
                    Problem(file, $"'{key}' entry at line {name.Start.Line + 1} has {(allowed.Count == 0 ? "a key" : "an unknown key")} '{text}' (allowed: id, {string.Join(", ", allowed)})");
                    continue;
                }
                fields[text] = value;
            }
            var id = fields.TryGetValue("id", out var idNode) && idNode is YamlScalarNode { Value: { } v } ? v.Trim() : "";
            if (!EntryIdPattern().IsMatch(id))
            {
                Problem(file, $"'{key}' entry at line {child.Start.Line + 1} needs an 'id' of lower-case letters, digits and '-': '{id}'");
                continue;
            }
            if (entries.Any(e => e.Item1 == id))
            {
                Problem(file, $"'{key}' has the id '{id}' twice");
                continue;
            }
            entries.Add((id, fields));
        }
        return entries;
    }

    // An empty value counts as absent, so an optional key left blank is simply unset and a translated key
    // left blank falls back to English; only a required key reports it.
    private string? ReadText(ContentFile file, string key, bool required)
    {
        if (!file.Fields.TryGetValue(key, out var node))
        {
            if (required)
            {
                Problem(file, $"required key '{key}' is missing");
            }

            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Problem(file, $"'{key}' must be text, not {Describe(node)}");
            return null;
        }

        var text = IsNull(scalar) ? "" : scalar.Value!.Trim();
        if (text.Length == 0)
        {
            if (required)
            {
                Problem(file, $"required key '{key}' is empty");
            }

            return null;
        }

        return text;
    }

    private List<string>? ReadList(ContentFile file, string key, bool required)
    {
        if (!file.Fields.TryGetValue(key, out var node))
        {
            if (required)
            {
                Problem(file, $"required key '{key}' is missing");
            }

            return null;
        }

        if (node is YamlScalarNode scalar && IsNull(scalar))
        {
            // "speakers:" with nothing after it: an English list that is deliberately empty, or an
            // untranslated Chinese one.
            return required ? [] : null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Problem(file, $"'{key}' must be a list ('- item' lines or [a, b]), not {Describe(node)}");
            return null;
        }

        var items = new List<string>();
        var ok = true;
        foreach (var child in sequence.Children)
        {
            var text = child is YamlScalarNode item && !IsNull(item) ? item.Value!.Trim() : "";
            if (text.Length == 0)
            {
                Problem(file, $"'{key}' has an entry that is not text or is empty (line {child.Start.Line + 1})");
                ok = false;
                continue;
            }

            items.Add(text);
        }

        return ok ? items : null;
    }

    // Plain (unquoted) "~" and "null" are YAML's null; quoted "null" is the word.
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Value is null
        || (scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL");

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a set of keys",
        _ => "text",
    };
}
