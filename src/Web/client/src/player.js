// The session's video. hls.js plays HLS where the browser has Media Source Extensions (Chrome,
// Firefox, Android); Safari and iOS play HLS natively. hls.js (a few hundred KB) is fetched only
// when a stream is there to play and the browser needs it.
import { loadScript } from "./script.js";

const loadHls = () => loadScript("/js/hls.min.js", "Hls");

// stage (optional) plays a LiveKit room instead while the stream carries one (stage.js).
export function createPlayer(video, note, t, stage) {
  let hls = null;
  let current = null;

  async function play(url, live) {
    if (url === current) return;
    current = url;
    video.hidden = false;
    const native = video.canPlayType("application/vnd.apple.mpegurl") !== "";
    if (native && !window.MediaSource) {
      video.src = url;
      if (live) startMuted();
      return;
    }
    let Hls;
    try {
      Hls = await loadHls();
    } catch {
      if (native) video.src = url;
      return;
    }
    if (!Hls.isSupported()) {
      video.src = url;
      return;
    }
    hls?.destroy();
    // Live: start two segments behind the edge and catch up when more than five behind.
    hls = new Hls(live ? { liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 5, backBufferLength: 30 } : {});
    hls.on(Hls.Events.ERROR, (_, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) setTimeout(() => hls.startLoad(), 2000);
      else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
    if (live) hls.on(Hls.Events.MANIFEST_PARSED, startMuted);
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  // Browsers start video with sound only after a tap: a live stream starts muted, the controls unmute it.
  function startMuted() {
    video.muted = true;
    video.play().catch(() => {});
  }

  function show(stream, status) {
    const text = {
      waiting: stream.playlist ? "" : t[status === "ended" ? "stream.noreplay" : "stream.waiting"],
      interrupted: t["stream.interrupted"],
      ended: stream.playlist ? "" : t[stream.room ? "stream.preparing" : "stream.noreplay"],
    }[stream.state] || "";
    note.textContent = text;
    note.hidden = !text;
    if (stage && stream.room && stream.state === "live") {
      hls?.destroy();
      hls = null;
      current = null;
      stage.watch(stream.room);
      return;
    }
    // Also cancels a retry waiting to connect to a stage that has just ended.
    stage?.stop();
    if (stream.playlist) play(stream.playlist, stream.state === "live" || stream.state === "interrupted");
  }

  // What the server rendered: a replay or a live stream already under way.
  if (video.dataset.src) play(video.dataset.src, video.dataset.live === "true");

  return { show };
}
