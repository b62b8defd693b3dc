using System.Text;
using Events.Streaming.Blobs;

namespace Events.Streaming.Tests;

/// <summary>What every <see cref="IBlobStore"/> must do, run against the local folder and against Azure Blob Storage (a real Azurite).</summary>
public abstract class BlobStoreContract
{
    protected abstract IBlobStore Store { get; }

    /// <summary>Nothing at all is stored (no blob, and for the local folder no temporary file either).</summary>
    protected abstract Task AssertEmptyAsync();

    protected static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_blob_reads_back_whole_with_its_type_and_length_and_lists_under_its_folder()
    {
        var info = await Store.PutAsync("live/s1/b1/index.m3u8", Bytes("#EXTM3U\n"), 1024);
        Assert.Equal(8, info.Length);
        Assert.Equal("application/vnd.apple.mpegurl", info.ContentType);
        await Store.PutAsync("live/s1/b1/seg0.ts", Bytes("G"), 1024);
        await Store.PutAsync("live/s2/b1/seg0.ts", Bytes("G"), 1024);

        await using var read = await Store.OpenAsync("live/s1/b1/index.m3u8");
        Assert.NotNull(read);
        Assert.Equal(8, read.Info.Length);
        Assert.Equal("application/vnd.apple.mpegurl", read.Info.ContentType);
        Assert.Equal("#EXTM3U\n", await new StreamReader(read.Content).ReadToEndAsync());
        Assert.Equal(["live/s1/b1/index.m3u8", "live/s1/b1/seg0.ts"], await Store.ListAsync("live/s1/"));
        Assert.True(await Store.ExistsAsync("live/s2/b1/seg0.ts"));
        Assert.Null(await Store.OpenAsync("live/s3/b1/seg0.ts"));
        Assert.Empty(await Store.ListAsync("live/s3/"));
        await Store.DeleteAsync("live/s2/b1/seg0.ts");
        await Store.DeleteAsync("live/s2/b1/seg0.ts");
        Assert.False(await Store.ExistsAsync("live/s2/b1/seg0.ts"));
    }

    [Fact]
    public async Task A_large_blob_is_written_in_blocks_and_read_by_ranges()
    {
        var big = new byte[9 * 1024 * 1024 + 17];
        new Random(7).NextBytes(big);
        await Store.PutAsync("recordings/talk.mp4", new MemoryStream(big), 16 * 1024 * 1024);
        await using var read = await Store.OpenAsync("recordings/talk.mp4");
        Assert.Equal(big.Length, read!.Info.Length);
        Assert.True(read.Content.CanSeek, "ranges need a seekable stream");
        read.Content.Seek(5 * 1024 * 1024, SeekOrigin.Begin);
        var part = new byte[1000];
        await read.Content.ReadExactlyAsync(part);
        Assert.Equal(big.AsSpan(5 * 1024 * 1024, 1000).ToArray(), part);
    }

    [Fact]
    public async Task A_reader_of_the_old_blob_keeps_it_whole_while_a_new_one_replaces_it()
    {
        await Store.PutAsync("a/playlist.m3u8", Bytes("old old old"), 1024);
        await using (var after = await Store.OpenAsync("a/playlist.m3u8"))
        {
            Assert.Equal("old old old", await new StreamReader(after!.Content).ReadToEndAsync());
        }
        await Store.PutAsync("a/playlist.m3u8", Bytes("new"), 1024);
        await using var now = await Store.OpenAsync("a/playlist.m3u8");
        Assert.Equal("new", await new StreamReader(now!.Content).ReadToEndAsync());
    }

    [Fact]
    public async Task Content_over_the_limit_is_refused_and_leaves_nothing_and_keeps_an_earlier_blob()
    {
        await Assert.ThrowsAsync<BlobTooLargeException>(() => Store.PutAsync("a/big.ts", new MemoryStream(new byte[5 * 1024 * 1024]), 4096));
        Assert.False(await Store.ExistsAsync("a/big.ts"));
        await AssertEmptyAsync();

        await Store.PutAsync("a/big.ts", Bytes("kept"), 4096);
        await Assert.ThrowsAsync<BlobTooLargeException>(() => Store.PutAsync("a/big.ts", new MemoryStream(new byte[5 * 1024 * 1024]), 4096));
        await using var read = await Store.OpenAsync("a/big.ts");
        Assert.Equal("kept", await new StreamReader(read!.Content).ReadToEndAsync());
    }

    [Theory]
    [InlineData("../outside.ts")]
    [InlineData("a/../../outside.ts")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b.ts")]
    [InlineData("a/.hidden")]
    [InlineData("a\\b.ts")]
    [InlineData("")]
    public async Task Names_that_could_leave_the_store_are_refused(string name)
    {
        Assert.False(BlobPath.IsValid(name));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(name, Bytes("x"), 10));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenAsync(name));
        await AssertEmptyAsync();
    }
}

public sealed class LocalBlobStoreContract : BlobStoreContract, IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("blobs-").FullName;
    private readonly LocalBlobStore store;

    public LocalBlobStoreContract() => store = new LocalBlobStore(root);

    protected override IBlobStore Store => store;

    protected override Task AssertEmptyAsync()
    {
        Assert.Empty(Directory.GetFiles(root, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(root)!, "outside.ts"));
        return Task.CompletedTask;
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreContract(AzuriteServer azurite) : BlobStoreContract
{
    // A container per test: each starts empty.
    private readonly AzureBlobStore store = new(azurite.ConnectionString, "t" + Guid.NewGuid().ToString("N")[..20]);

    protected override IBlobStore Store => store;

    protected override async Task AssertEmptyAsync() => Assert.Empty(await store.ListAsync(""));

    [Fact]
    public async Task A_read_link_lets_a_browser_fetch_the_blob_until_it_expires_and_not_without_its_signature()
    {
        await store.PutAsync("replays/s1/b1/index.m3u8", Bytes("#EXTM3U\n"), 1024);
        var link = await store.ReadLinkAsync("replays/s1/b1/index.m3u8", TimeSpan.FromMinutes(5));
        using var http = new HttpClient();
        Assert.Equal("#EXTM3U\n", await http.GetStringAsync(link));
        var unsigned = new UriBuilder(link) { Query = "" }.Uri;
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await http.GetAsync(unsigned)).StatusCode);
        var expired = await store.ReadLinkAsync("replays/s1/b1/index.m3u8", TimeSpan.FromMinutes(-5));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await http.GetAsync(expired)).StatusCode);
    }
}
