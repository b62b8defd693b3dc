using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace Events.Streaming.Blobs;

/// <summary>
/// Blobs in one Azure Blob Storage container, through the official SDK. A write is a block blob
/// upload (in 4 MB blocks beyond the first 4 MB), committed only once the whole content has been
/// read, so a reader sees the old blob or the new one and a refused upload (too large) leaves
/// nothing. Reads are ranged by the SDK's seekable stream. The container is made on first use.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private const int BlockBytes = 4 * 1024 * 1024;
    private readonly BlobContainerClient container;
    private readonly BlobServiceClient service;
    private readonly Lazy<Task> created;

    public AzureBlobStore(string connectionString, string containerName, BlobClientOptions? options = null)
    {
        container = new BlobContainerClient(connectionString, containerName, options ?? new BlobClientOptions());
        service = new BlobServiceClient(connectionString, options ?? new BlobClientOptions());
        created = new Lazy<Task>(() => container.CreateIfNotExistsAsync());
    }

    /// <summary>
    /// Lets browsers on <paramref name="origins"/> read blobs directly (GET and HEAD, with ranges):
    /// the account's CORS rules become this one rule, so a player on the site can follow a read link.
    /// </summary>
    public async Task AllowBrowserReadsAsync(IReadOnlyCollection<string> origins, CancellationToken cancellationToken = default)
    {
        var properties = (await service.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value;
        properties.Cors = [new Azure.Storage.Blobs.Models.BlobCorsRule
        {
            AllowedOrigins = string.Join(',', origins),
            AllowedMethods = "GET,HEAD,OPTIONS",
            AllowedHeaders = "*",
            ExposedHeaders = "Content-Length,Content-Range,Content-Type,Accept-Ranges,ETag",
            MaxAgeInSeconds = 3600,
        }];
        await service.SetPropertiesAsync(properties, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BlobClient> BlobAsync(string path)
    {
        BlobPath.Check(path);
        await created.Value.ConfigureAwait(false);
        return container.GetBlobClient(path);
    }

    public async Task<BlobInfo> PutAsync(string path, Stream content, long maxBytes, CancellationToken cancellationToken = default)
    {
        var blob = await BlobAsync(path).ConfigureAwait(false);
        var limited = new LimitedStream(content, path, maxBytes);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = BlobPath.ContentTypeOf(path) },
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockBytes, MaximumTransferSize = BlockBytes, MaximumConcurrency = 4 },
        };
        var uploaded = await blob.UploadAsync(limited, options, cancellationToken).ConfigureAwait(false);
        return new BlobInfo(path, limited.BytesRead, BlobPath.ContentTypeOf(path), uploaded.Value.LastModified);
    }

    public async Task<BlobRead?> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = await BlobAsync(path).ConfigureAwait(false);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = BlockBytes }, cancellationToken).ConfigureAwait(false);
            return new BlobRead(new BlobInfo(path, properties.ContentLength, properties.ContentType ?? BlobPath.ContentTypeOf(path), properties.LastModified), stream);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        (await (await BlobAsync(path).ConfigureAwait(false)).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        await (await BlobAsync(path).ConfigureAwait(false)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await created.Value.ConfigureAwait(false);
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            names.Add(item.Name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>A link the browser may read the blob at directly until it expires (a read-only SAS signed with the account key).</summary>
    public async Task<Uri> ReadLinkAsync(string path, TimeSpan validFor)
    {
        var blob = await BlobAsync(path).ConfigureAwait(false);
        if (!blob.CanGenerateSasUri)
        {
            throw new InvalidOperationException("Read links need the storage account's key in 'Streaming:Blobs:Azure:ConnectionString'.");
        }
        return blob.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.Add(validFor));
    }

    /// <summary>Reads through to the content and stops the upload, before anything is committed, past the limit.</summary>
    private sealed class LimitedStream(Stream inner, string path, long maxBytes) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            BytesRead += read;
            return BytesRead > maxBytes ? throw new BlobTooLargeException(path, maxBytes) : read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
