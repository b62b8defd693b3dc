namespace Events.Web.Content;

/// <summary>
/// The content folder is malformed. <see cref="Problems"/> lists every problem found in one pass, each
/// as <c>&lt;path&gt;: &lt;problem&gt;</c> with the path as an author sees it (for example
/// <c>content/sessions/x.md</c>), so all of them can be fixed before the next start. The message is the
/// same problems, one per line.
/// </summary>
public sealed class ContentException : Exception
{
    public ContentException(IReadOnlyList<string> problems)
        : base(string.Join(Environment.NewLine, problems ?? throw new ArgumentNullException(nameof(problems))))
    {
        Problems = Array.AsReadOnly(problems.ToArray());
    }

    public ContentException(string problem)
        : this([problem])
    {
    }

    public IReadOnlyList<string> Problems { get; }
}
