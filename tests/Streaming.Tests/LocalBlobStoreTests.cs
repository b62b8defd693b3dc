using System.Text;
using Events.Streaming.Blobs;

namespace Events.Streaming.Tests;

/// <summary>The local blob store on a real temporary folder.</summary>
public sealed class LocalBlobStoreTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("blobs-").FullName;
    private readonly LocalBlobStore store;

    public LocalBlobStoreTests() => store = new LocalBlobStore(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_blob_reads_back_whole_with_its_type_and_length_and_lists_under_its_folder()
    {
        var info = await store.PutAsync("live/s1/b1/index.m3u8", Bytes("#EXTM3U\n"), 1024);
        Assert.Equal(8, info.Length);
        Assert.Equal("application/vnd.apple.mpegurl", info.ContentType);
        await store.PutAsync("live/s1/b1/seg0.ts", Bytes("G"), 1024);
        await store.PutAsync("live/s2/b1/seg0.ts", Bytes("G"), 1024);

        await using var read = await store.OpenAsync("live/s1/b1/index.m3u8");
        Assert.NotNull(read);
        Assert.Equal("#EXTM3U\n", await new StreamReader(read.Content).ReadToEndAsync());
        Assert.Equal(["live/s1/b1/index.m3u8", "live/s1/b1/seg0.ts"], await store.ListAsync("live/s1/"));
        Assert.True(await store.ExistsAsync("live/s2/b1/seg0.ts"));
        Assert.Null(await store.OpenAsync("live/s3/b1/seg0.ts"));
        Assert.Empty(await store.ListAsync("live/s3/"));
    }

    [Fact]
    public async Task A_reader_of_the_old_blob_keeps_it_whole_while_a_new_one_replaces_it()
    {
        await store.PutAsync("a/playlist.m3u8", Bytes("old old old"), 1024);
        await using var before = await store.OpenAsync("a/playlist.m3u8");
        await store.PutAsync("a/playlist.m3u8", Bytes("new"), 1024);
        Assert.Equal("old old old", await new StreamReader(before!.Content).ReadToEndAsync());
        await using var after = await store.OpenAsync("a/playlist.m3u8");
        Assert.Equal("new", await new StreamReader(after!.Content).ReadToEndAsync());
    }

    [Fact]
    public async Task Content_over_the_limit_is_refused_and_leaves_neither_the_blob_nor_a_temporary_file()
    {
        await Assert.ThrowsAsync<BlobTooLargeException>(() => store.PutAsync("a/big.ts", new MemoryStream(new byte[5000]), 4096));
        Assert.False(await store.ExistsAsync("a/big.ts"));
        Assert.Empty(Directory.GetFiles(root, "*", SearchOption.AllDirectories));

        // A failed replacement keeps the earlier blob.
        await store.PutAsync("a/big.ts", Bytes("kept"), 4096);
        await Assert.ThrowsAsync<BlobTooLargeException>(() => store.PutAsync("a/big.ts", new MemoryStream(new byte[5000]), 4096));
        await using var read = await store.OpenAsync("a/big.ts");
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
    public async Task Names_that_could_leave_the_folder_are_refused(string name)
    {
        Assert.False(BlobPath.IsValid(name));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(name, Bytes("x"), 10));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenAsync(name));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(root)!, "outside.ts"));
    }
}
