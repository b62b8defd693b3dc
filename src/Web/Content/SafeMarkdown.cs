using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Events.Web.Content;

/// <summary>
/// Turns author Markdown into HTML that can be written into a page unencoded. Raw HTML in the source is
/// shown as text, and a link or image survives only if its URL is http, https, mailto, or a path on this
/// site starting with <c>/</c> or <c>#</c>; any other link is rendered as its text without an
/// <c>&lt;a&gt;</c>, any other image as its alt text.
/// </summary>
public static class SafeMarkdown
{
    // Not UseAdvancedExtensions: it includes generic attributes ({onclick=...} on any element) and media
    // links (iframes), which would let content carry script or embeds past DisableHtml.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAlertBlocks()
        .UseAbbreviations()
        // GitHub style keeps Chinese letters in heading ids; the default strips them all to "section".
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub | AutoIdentifierOptions.AutoLink)
        .UseDefinitionLists()
        .UseEmphasisExtras()
        .UseFootnotes()
        .UsePipeTables()
        .UseGridTables()
        .UseListExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    private static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    // Control characters and space: what the URL parser trims from both ends before reading a scheme.
    private static readonly char[] TrimmedByBrowsers = Enumerable.Range(0, 0x21).Select(c => (char)c).ToArray();

    public static string ToHtml(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var document = Markdown.Parse(markdown, Pipeline);
        Neutralize(document);
        return document.ToHtml(Pipeline);
    }

    /// <summary>Whether a link to <paramref name="url"/> may be rendered as a link.</summary>
    public static bool IsSafeUrl(string? url)
    {
        if (url is null)
        {
            return false;
        }

        // Browsers drop tabs and newlines anywhere in a URL and trim spaces and control characters, so
        // "java\tscript:" runs as "javascript:". Judge the URL the way the browser will read it.
        var normalized = new string(url.Where(c => c is not ('\t' or '\n' or '\r')).ToArray()).Trim(TrimmedByBrowsers);
        if (normalized.StartsWith('/') || normalized.StartsWith('#'))
        {
            return true;
        }

        var colon = normalized.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        var scheme = normalized[..colon];
        return AllowedSchemes.Any(allowed => string.Equals(scheme, allowed, StringComparison.OrdinalIgnoreCase));
    }

    private static void Neutralize(MarkdownDocument document)
    {
        // Collect first: replacing inlines while enumerating the tree would skip siblings.
        var links = document.Descendants<LinkInline>().ToList();
        foreach (var link in links)
        {
            // Extensions may compute the URL at render time (heading references); the renderer prefers it.
            var url = link.GetDynamicUrl?.Invoke() ?? link.Url;
            if (!IsSafeUrl(url))
            {
                Unwrap(link);
            }
        }

        var autolinks = document.Descendants<AutolinkInline>().ToList();
        foreach (var autolink in autolinks)
        {
            if (!autolink.IsEmail && !IsSafeUrl(autolink.Url))
            {
                autolink.ReplaceBy(new LiteralInline(autolink.Url));
            }
        }
    }

    // The link's text (or the image's alt text) stays in place, so the reader still sees what the author wrote.
    private static void Unwrap(LinkInline link)
    {
        var child = link.FirstChild;
        while (child is not null)
        {
            var next = child.NextSibling;
            child.Remove();
            link.InsertBefore(child);
            child = next;
        }

        link.Remove();
    }
}
