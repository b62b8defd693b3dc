// A session's LiveKit stage: viewers watch its room over WebRTC (sub-second) with livekit-client,
// fetched only when a session has a live stage; organizers can speak from the browser (camera and
// microphone). Tokens come from the hub (GetLiveKitToken), short-lived, one per connection.
import { loadScript } from "./script.js";

const loadLiveKit = () => loadScript("/js/livekit-client.min.js", "LivekitClient");

// getToken(publish) resolves to the hub's LiveKitJoin ({ url, token, room, ... }) or null;
// say(key) shows one of the page's texts under the player (null clears it).
export function createStage(video, getToken, say = () => {}) {
  let room = null;
  let roomName = null;
  let audio = [];
  let retry = null;

  async function connect(name, publish) {
    const LK = await loadLiveKit();
    const join = await getToken(publish);
    if (!join || join.room !== name) return null;
    const r = new LK.Room({ adaptiveStream: true, dynacast: true });
    r.on(LK.RoomEvent.TrackSubscribed, (track) => {
      if (track.kind === "video") {
        track.attach(video);
        video.hidden = false;
        say(null);
      } else if (track.kind === "audio") {
        const el = track.attach();
        el.hidden = true;
        audio.push(el);
        document.body.append(el);
      }
    });
    r.on(LK.RoomEvent.TrackUnsubscribed, (track) => track.detach());
    r.on(LK.RoomEvent.Disconnected, () => { if (room === r) { room = null; roomName = null; } });
    await r.connect(join.url, join.token);
    return r;
  }

  // Plays the room's video in the page's player; a second call for the same room does nothing.
  // A connection that fails says so and is tried again every few seconds while the stage is live.
  // Each call (and each stop) starts a new generation: a watch still connecting when the stage
  // ended, or another began, finds its generation gone and does nothing more.
  let generation = 0;

  async function watch(name) {
    if (roomName === name) return;
    const mine = ++generation;
    await leave();
    if (mine !== generation) return;
    roomName = name;
    say("stage.connecting");
    try {
      const r = await connect(name, false);
      if (mine === generation) room = r; else r?.disconnect();
    } catch (e) {
      if (mine !== generation) return;
      console.warn("LiveKit:", e);
      say("stage.unreachable");
      roomName = null;
      retry = setTimeout(() => { if (mine === generation) watch(name); }, 5000 * (0.5 + Math.random()));
    }
  }

  function stop() {
    generation++;
    return leave();
  }

  async function leave() {
    clearTimeout(retry);
    retry = null;
    const r = room;
    room = null;
    roomName = null;
    audio.forEach((el) => el.remove());
    audio = [];
    if (r) await r.disconnect();
  }

  // An organizer on stage: publishes camera and microphone into the room, shown in the preview.
  async function speak(name, preview) {
    const r = await connect(name, true);
    if (!r) return null;
    await r.localParticipant.enableCameraAndMicrophone();
    const camera = [...r.localParticipant.videoTrackPublications.values()][0]?.track;
    if (camera && preview) {
      camera.attach(preview);
      preview.hidden = false;
    }
    return { leave: () => r.disconnect() };
  }

  return { watch, stop, speak };
}
