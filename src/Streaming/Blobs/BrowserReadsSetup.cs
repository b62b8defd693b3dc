using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Streaming.Blobs;

/// <summary>With direct reads on, gives the storage account its CORS rule at start (retrying while the account cannot be reached).</summary>
public sealed class BrowserReadsSetup(IBlobStore blobs, StreamingOptions options, ILogger<BrowserReadsSetup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (blobs is not AzureBlobStore azure)
        {
            return;
        }
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await azure.AllowBrowserReadsAsync(options.Blobs.Azure.CorsOrigins, stoppingToken);
                logger.LogInformation("Blob storage: browsers on {Origins} may read directly", string.Join(", ", options.Blobs.Azure.CorsOrigins));
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Setting the storage account's CORS rule failed (attempt {Attempt}); players on other origins cannot read directly until it is set", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, 2 * attempt)), stoppingToken);
            }
        }
    }
}
