using Events.Web.Content;
using Xunit;

namespace Events.Web.Tests.Content;

/// <summary>The repository's own content folder must always load: a broken file would stop the site.</summary>
public sealed class RealContentTests
{
    private static string ContentFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Events.sln")))
            {
                return Path.Combine(dir.FullName, "content");
            }
        }

        throw new InvalidOperationException($"No Events.sln above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void The_repository_content_loads()
    {
        var catalog = ContentCatalog.Load(ContentFolder());

        Assert.Equal(6, catalog.Events.Count);
        Assert.NotEmpty(catalog.Sessions);
        Assert.All(catalog.Sessions, s => Assert.NotNull(catalog.FindEvent(s.EventSlug)));
        Assert.All(catalog.Sessions.SelectMany(s => s.Speakers), slug => Assert.NotNull(catalog.FindSpeaker(slug)));
        Assert.True(catalog.Exists("contest-final"));
    }
}
