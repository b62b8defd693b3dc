namespace Events.Streaming.Blobs;

/// <summary>
/// Blobs as files under one folder (the embedded default, <c>data/blobs</c>). A write goes to a
/// temporary file in the same folder tree and is renamed over the blob when complete, so a reader
/// never sees half a segment or half a playlist.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private const string TempFolder = ".incoming";
    private readonly string root;

    public LocalBlobStore(string root)
    {
        this.root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(this.root, TempFolder));
    }

    private string FileOf(string path) => Path.Combine(root, BlobPath.Check(path).Replace('/', Path.DirectorySeparatorChar));

    public async Task<BlobInfo> PutAsync(string path, Stream content, long maxBytes, CancellationToken cancellationToken = default)
    {
        var target = FileOf(path);
        var temp = Path.Combine(root, TempFolder, Guid.NewGuid().ToString("N"));
        long length = 0;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        throw new BlobTooLargeException(path, maxBytes);
                    }
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return new BlobInfo(path, length, BlobPath.ContentTypeOf(path), File.GetLastWriteTimeUtc(target));
    }

    public Task<BlobRead?> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = FileOf(path);
        try
        {
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
            var info = new BlobInfo(path, stream.Length, BlobPath.ContentTypeOf(path), File.GetLastWriteTimeUtc(file));
            return Task.FromResult<BlobRead?>(new BlobRead(info, stream));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<BlobRead?>(null);
        }
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(FileOf(path)));

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        File.Delete(FileOf(path));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = prefix.TrimEnd('/');
        var directory = folder.Length == 0 ? root : FileOf(folder);
        if (!Directory.Exists(directory))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }
        var names = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(n => !n.StartsWith(TempFolder + "/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(names);
    }
}
