using Events.Streaming.Blobs;
using Events.Streaming.Hls;
using Events.Streaming.Rtmp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Events.Streaming;

public static class StreamingServiceCollectionExtensions
{
    /// <summary>
    /// The media part: the blob store (a local folder under the data directory by default), the
    /// HLS origin and the RTMP ingest (nginx, when installed). The "Streaming" section is bound
    /// strictly: an unknown key stops the start.
    /// </summary>
    public static IServiceCollection AddStreaming(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var options = new StreamingOptions();
        configuration.GetSection(StreamingOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton<IBlobStore>(_ => options.Blobs.Provider == BlobProvider.Azure
            ? new AzureBlobStore(options.Blobs.Azure.ConnectionString!, options.Blobs.Azure.Container)
            : new LocalBlobStore(options.BlobPath ?? Path.Combine(dataDirectory, "blobs")));
        if (options.Blobs.Provider == BlobProvider.Azure && options.Blobs.Azure.DirectReads)
        {
            services.AddHostedService<BrowserReadsSetup>();
        }
        services.AddSingleton<HlsOrigin>();
        services.AddSingleton<Replays.Thumbnails>();
        services.AddSingleton<Replays.RecordingImport>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RtmpIngest>(sp, dataDirectory));
        services.AddHostedService(sp => sp.GetRequiredService<RtmpIngest>());
        return services;
    }
}
