using Events.Streaming.Hls;

namespace Events.Streaming.Tests;

public sealed class HlsTrimTests
{
    // As ffmpeg's hls muxer ends an event playlist: five 2-second segments, the last shorter.
    private const string Recording = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-PLAYLIST-TYPE:EVENT
        #EXTINF:2.000000,
        index0.ts
        #EXTINF:2.000000,
        index1.ts
        #EXTINF:2.000000,
        index2.ts
        #EXTINF:2.000000,
        index3.ts
        #EXTINF:1.500000,
        index4.ts
        #EXT-X-ENDLIST

        """;

    [Fact]
    public void A_cut_keeps_the_segments_that_overlap_it_and_says_where_it_starts()
    {
        var cut = HlsTrim.Cut(Recording, 3, 7)!;
        Assert.Equal((2.0, 6.0), (cut.Offset, cut.Seconds));
        var parsed = HlsPlaylist.Parse(System.Text.Encoding.UTF8.GetBytes(cut.Text)).Playlist!;
        Assert.Equal(["index1.ts", "index2.ts", "index3.ts"], parsed.Files);
        Assert.True(parsed.Ended);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", cut.Text);
        Assert.Contains("#EXT-X-TARGETDURATION:2", cut.Text);
        Assert.DoesNotContain("EVENT", cut.Text);
    }

    [Fact]
    public void An_open_end_keeps_the_rest_and_a_cut_on_segment_edges_takes_no_neighbour()
    {
        var rest = HlsTrim.Cut(Recording, 4, null)!;
        Assert.Equal((4.0, 5.5), (rest.Offset, rest.Seconds));
        Assert.Equal(["index2.ts", "index3.ts", "index4.ts"], HlsPlaylist.Parse(System.Text.Encoding.UTF8.GetBytes(rest.Text)).Playlist!.Files);
        var whole = HlsTrim.Cut(Recording, 0, null)!;
        Assert.Equal((0.0, 9.5), (whole.Offset, whole.Seconds));
    }

    [Fact]
    public void A_cut_past_the_end_keeps_nothing_and_an_fmp4_recording_keeps_its_init_section()
    {
        Assert.Null(HlsTrim.Cut(Recording, 9.5, null));
        Assert.Null(HlsTrim.Cut(Recording, 20, 30));
        const string fmp4 = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.0,\nseg0.m4s\n#EXTINF:2.0,\nseg1.m4s\n#EXT-X-ENDLIST\n";
        var cut = HlsTrim.Cut(fmp4, 2.5, null)!;
        Assert.Equal(["init.mp4", "seg1.m4s"], HlsPlaylist.Parse(System.Text.Encoding.UTF8.GetBytes(cut.Text)).Playlist!.Files);
    }
}
