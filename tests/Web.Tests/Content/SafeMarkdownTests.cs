using Events.Web.Content;
using Xunit;

namespace Events.Web.Tests.Content;

public sealed class SafeMarkdownTests
{
    [Theory]
    [InlineData("[click me](javascript:alert(1))")]
    [InlineData("[click me](JavaScript:alert(1))")]
    [InlineData("[click me](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[click me](vbscript:msgbox(1))")]
    [InlineData("[click me](&#x6A;avascript:alert(1))")]
    [InlineData("[click me](<java\tscript:alert(1)>)")]
    [InlineData("[click me][ref]\n\n[ref]: javascript:alert(1)")]
    public void A_link_with_a_forbidden_scheme_renders_as_text(string markdown)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.DoesNotContain("<a", html);
        Assert.DoesNotContain("script:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("click me", html);
    }

    [Fact]
    public void A_forbidden_autolink_renders_as_text()
    {
        var html = SafeMarkdown.ToHtml("see <javascript:alert(1)>");

        Assert.DoesNotContain("<a", html);
        Assert.DoesNotContain("href", html);
    }

    [Fact]
    public void A_forbidden_image_renders_as_its_alt_text()
    {
        var html = SafeMarkdown.ToHtml("![a chart](javascript:alert(1)) and ![pixel](data:image/png;base64,AAAA)");

        Assert.DoesNotContain("<img", html);
        Assert.Contains("a chart", html);
        Assert.Contains("pixel", html);
    }

    [Fact]
    public void Formatting_inside_a_forbidden_link_is_kept()
    {
        var html = SafeMarkdown.ToHtml("[a **bold** move](javascript:x)");

        Assert.Equal("<p>a <strong>bold</strong> move</p>", html.Trim());
    }

    [Fact]
    public void Raw_html_is_not_passed_through()
    {
        var html = SafeMarkdown.ToHtml("Hello <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n\n<img src=x onerror=alert(1)>");

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<div", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public void Generic_attributes_are_not_enabled()
    {
        var html = SafeMarkdown.ToHtml("[x](https://example.com){onclick=\"alert(1)\"}\n\n# Title {onmouseover=alert(1)}");

        // The braces stay visible as text; what matters is that no attribute is emitted.
        Assert.DoesNotContain(" onclick=\"", html);
        Assert.DoesNotContain(" onmouseover=", html);
        Assert.Contains("{onclick=", html);
    }

    [Theory]
    [InlineData("[site](https://example.com/a?b=1)", "<a href=\"https://example.com/a?b=1\">site</a>")]
    [InlineData("[site](http://example.com)", "<a href=\"http://example.com\">site</a>")]
    [InlineData("[mail](mailto:careers@example.com)", "<a href=\"mailto:careers@example.com\">mail</a>")]
    [InlineData("[home](/events/contest-2026)", "<a href=\"/events/contest-2026\">home</a>")]
    [InlineData("[top](#schedule)", "<a href=\"#schedule\">top</a>")]
    [InlineData("<https://example.com>", "<a href=\"https://example.com\">https://example.com</a>")]
    [InlineData("![logo](https://example.com/logo.png)", "<img src=\"https://example.com/logo.png\" alt=\"logo\" />")]
    public void Allowed_links_render(string markdown, string expected)
    {
        Assert.Contains(expected, SafeMarkdown.ToHtml(markdown));
    }

    [Fact]
    public void An_https_link_renders_as_an_anchor()
    {
        Assert.Contains("<a href=\"https://", SafeMarkdown.ToHtml("Visit [us](https://chenghu.example)."));
    }

    [Theory]
    [InlineData("relative/page")]
    [InlineData("?q=1")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    public void Other_urls_are_not_links(string url)
    {
        Assert.DoesNotContain("<a", SafeMarkdown.ToHtml($"[x]({url})"));
    }

    [Fact]
    public void Common_extensions_work()
    {
        var html = SafeMarkdown.ToHtml("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n## Schedule\n\n~~old~~");

        Assert.Contains("<table>", html);
        Assert.Contains("type=\"checkbox\"", html);
        Assert.Contains("<h2 id=\"schedule\">", html);
        Assert.Contains("<del>old</del>", html);
    }
}
