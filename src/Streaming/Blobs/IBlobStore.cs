namespace Events.Streaming.Blobs;

/// <summary>
/// Where segments, recordings and uploads live: a local folder by default, Azure Blob Storage on
/// several nodes. A write is atomic: readers see the whole previous blob or the whole new one, never
/// a part. Names follow <see cref="BlobPath"/>.
/// </summary>
public interface IBlobStore
{
    /// <summary>Writes the whole stream as the blob, replacing any earlier one, at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="BlobTooLargeException">The content was longer: nothing was written.</exception>
    Task<BlobInfo> PutAsync(string path, Stream content, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>The blob for reading (seekable where the store allows ranges), or null when there is none.</summary>
    Task<BlobRead?> OpenAsync(string path, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Names under a prefix ("a/b/" lists what is in a/b, at any depth), in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);
}

public sealed record BlobInfo(string Path, long Length, string ContentType, DateTimeOffset LastModified);

/// <summary>An open blob; dispose it to release the content stream.</summary>
public sealed record BlobRead(BlobInfo Info, Stream Content) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

public sealed class BlobTooLargeException(string path, long maxBytes)
    : Exception($"'{path}' is longer than {maxBytes:N0} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
