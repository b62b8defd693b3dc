// A booth's queue for 1:1 video calls, on the booth page (docs/live-api.md §3.20). A student joins,
// sees their place and the estimated wait move with every queue view the booth's session sends,
// is rung when a representative calls, and answers with camera and microphone. A representative
// sees the queue with names, calls the next, and the two browsers connect directly (WebRTC),
// their offer, answer and candidates passed through the hub. The queue grain owns the rules; this
// script shows them and follows its messages ("Call").
import { createNotice, el, format } from "./dom.js";
import { loadScript } from "./script.js";

const loadLiveKit = () => loadScript("/js/livekit-client.min.js", "LivekitClient");

export function createQueue({ root, connection, commandReporting, t }) {
  const company = root.dataset.company;
  const isRep = root.dataset.rep === "true";
  const signedIn = root.dataset.signedIn === "true";
  const answerWithin = Number(root.dataset.answerWithin) || 45;
  const config = JSON.parse(document.getElementById("call-config").textContent);
  const $ = (id) => document.getElementById(id);
  const { notice, showError } = createNotice(t, "queue-notice");
  const command = (method, ...args) => commandReporting(showError, method, ...args);

  let view = null; // the public view, from the booth session
  let mine = null; // a student's ticket (MyTicketView)
  let board = null; // a representative's board
  let call = null; // { ticket, peerName, pc, local, pending: [], remoteSet }
  let ringTimer = null;

  connection.on("Call", (s) => {
    if (s.company !== company) return;
    onSignal(s).catch(() => {});
  });

  // ---- the public view -----------------------------------------------------------------------

  function onView(v) {
    if (!v) return;
    if (view && v.version <= view.version) return;
    view = v;
    renderSummary();
    if (isRep) {
      refreshBoard();
    } else if (mine && (mine.state === "waiting" || mine.state === "called")) {
      const waiting = v.waiting.includes(mine.ticket);
      const called = v.called.includes(mine.ticket);
      // Called, or gone from the line (skipped, taken off): ask for the ticket as it stands.
      if ((called && mine.state !== "called") || (!waiting && !called)) refreshMine();
      else renderMine();
    }
  }

  function minutes(ms) {
    return Math.max(1, Math.round(ms / 60000));
  }

  function renderSummary() {
    const s = $("queue-summary");
    if (!view) return;
    s.textContent = view.open
      ? format(t["queue.summary"], view.waiting.length, view.inCall, minutes(view.meanCallMs))
      : t["queue.closed"];
  }

  // ---- a student's side ----------------------------------------------------------------------

  function positionOf() {
    if (!mine || mine.state !== "waiting") return 0;
    if (!view) return mine.position;
    return view.waiting.filter((n) => n < mine.ticket).length + 1;
  }

  function renderMine() {
    if (isRep || !signedIn) return;
    const place = $("queue-place");
    const waiting = mine && mine.state === "waiting";
    const active = mine && ["waiting", "called", "in_call"].includes(mine.state);
    $("queue-join").hidden = !!active;
    // Waiting, one may leave; rung, one answers or declines; in a call, one hangs up.
    $("queue-leave").hidden = !waiting;
    place.hidden = !waiting;
    if (waiting) {
      const p = positionOf();
      const staff = view ? view.staff : 1;
      const mean = view ? view.meanCallMs : mine.estimatedWaitMs / Math.max(1, mine.position);
      place.textContent = p === 1 ? format(t["queue.next"], minutes(mean / staff)) : format(t["queue.place"], p, minutes((p * mean) / staff));
    }
    const ringing = mine && mine.state === "called";
    $("call-ringing").hidden = !ringing;
    clearInterval(ringTimer);
    if (ringing) {
      const deadline = mine.deadline || Date.now() + answerWithin * 1000;
      const tick = () => {
        const left = Math.max(0, Math.ceil((deadline - serverNow()) / 1000));
        $("call-ringing-text").textContent = format(t["queue.ringing"], mine.repName || "", left);
      };
      tick();
      ringTimer = setInterval(tick, 1000);
    }
  }

  let clockSkew = 0;
  const serverNow = () => Date.now() + clockSkew;

  function setMine(m) {
    const before = mine;
    mine = m;
    if (before && ["waiting", "called"].includes(before.state) && m.state === "skipped") notice(t["queue.skipped"], true);
    if (before && before.state === "called" && m.state === "waiting") notice(t["queue.takenback"]);
    renderMine();
  }

  async function refreshMine() {
    const r = await command("MyTicket", company);
    if (r && r.ok) setMine(r.value);
  }

  async function join() {
    notice("");
    const r = await command("JoinQueue", company);
    if (r && r.ok) setMine(r.value);
  }

  async function leave() {
    const r = await command("LeaveQueue", company);
    if (r && r.ok) {
      hangUp();
      setMine(r.value);
    }
  }

  async function answer() {
    if (!mine || mine.state !== "called") return;
    const ticket = mine.ticket;
    // Browser to browser, the camera comes first: the peer connection must be ready when the
    // representative's offer comes. Through LiveKit, both sides join the call's room once answered.
    if (config.livekit) showCall(ticket, mine.repName, "incall");
    else await startCall(ticket, mine.repName);
    const r = await command("AnswerCall", company, ticket);
    if (!r || !r.ok) {
      hangUp();
      if (r) refreshMine();
      return;
    }
    setMine(r.value);
    if (config.livekit) await joinRoom(call);
  }

  // A call through LiveKit: the call's room, camera and microphone published, the other side played.
  async function joinRoom(c) {
    if (!c || c.room) return;
    const LK = await loadLiveKit();
    const r = await command("GetCallToken", company, c.ticket);
    if (!r || !r.ok || call !== c) return;
    const room = new LK.Room({ adaptiveStream: true, dynacast: true });
    c.room = room;
    c.audio = [];
    room.on(LK.RoomEvent.TrackSubscribed, (track) => {
      if (track.kind === "video") track.attach($("video-remote"));
      else if (track.kind === "audio") {
        const a = track.attach();
        a.hidden = true;
        c.audio.push(a);
        document.body.append(a);
      }
    });
    room.on(LK.RoomEvent.TrackUnsubscribed, (track) => track.detach());
    await room.connect(r.value.url, r.value.token);
    if (call !== c) {
      room.disconnect();
      return;
    }
    try {
      await room.localParticipant.enableCameraAndMicrophone();
      const camera = [...room.localParticipant.videoTrackPublications.values()][0]?.track;
      if (camera) camera.attach($("video-local"));
    } catch {
      notice(t["queue.nocamera"], true);
    }
  }

  // ---- a representative's side ---------------------------------------------------------------

  async function refreshBoard() {
    const r = await command("GetQueueBoard", company);
    if (r && r.ok) setBoard(r.value);
  }

  function setBoard(b) {
    if (board && b.version < board.version) return;
    board = b;
    $("queue-open").checked = b.open;
    const list = $("queue-board");
    list.replaceChildren();
    const now = serverNow();
    for (const ticket of b.tickets) {
      const li = el("li", null, "ticket " + ticket.state);
      li.append(el("strong", ticket.displayName));
      li.append(" ", el("span", ticket.state === "waiting" ? format(t["queue.waited"], minutes(now - ticket.joinedAt)) : t["queue.state." + ticket.state], "muted"));
      if (ticket.calledByName && ticket.state !== "waiting") li.append(" · ", el("span", ticket.calledByName, "muted"));
      list.append(li);
    }
    if (b.tickets.length === 0) list.append(el("li", t["queue.empty"], "empty"));
    const waiting = b.tickets.some((x) => x.state === "waiting");
    $("call-next").disabled = !!b.myCall || !waiting;
    const myCall = b.myCall;
    if (myCall && (!call || call.ticket !== myCall.ticket)) {
      // Called from this page (or another tab of this representative): show the call.
      showCall(myCall.ticket, myCall.displayName, myCall.state === "in_call" ? "incall" : "calling");
    } else if (!myCall && call && !call.pc) {
      hangUp();
    }
  }

  async function callNext() {
    notice("");
    const r = await command("CallNext", company);
    if (!r || !r.ok) return;
    setBoard(r.value);
    const c = r.value.myCall;
    if (c && config.livekit) showCall(c.ticket, c.displayName, "calling");
    else if (c) await startCall(c.ticket, c.displayName);
  }

  async function setOpen(open) {
    const r = await command("SetQueueOpen", company, open);
    if (r && r.ok) setBoard(r.value);
    else $("queue-open").checked = !open;
  }

  // ---- the call ------------------------------------------------------------------------------

  function showCall(ticket, peerName, state) {
    if (call && call.ticket !== ticket) hangUp();
    if (!call) call = { ticket, peerName, pc: null, local: null, ready: null, pending: [], remoteSet: false, room: null, audio: [] };
    call.peerName = peerName;
    $("call").hidden = false;
    $("call-with").textContent = format(t[state === "calling" ? "queue.calling" : "queue.incall"], peerName || "");
    $("call-end").textContent = state === "calling" && isRep ? t["queue.cancel"] : t["queue.hangup"];
  }

  async function media() {
    for (const constraints of [{ video: true, audio: true }, { video: false, audio: true }]) {
      try {
        return await navigator.mediaDevices.getUserMedia(constraints);
      } catch {
        // Try with less; with nothing, the call still shows the other side.
      }
    }
    notice(t["queue.nocamera"], true);
    return null;
  }

  // Shows the call and gets camera, microphone and the peer connection ready, once per call
  // (a second start of the same call waits for the first).
  function startCall(ticket, peerName) {
    showCall(ticket, peerName, isRep ? "calling" : "incall");
    if (!call.ready) call.ready = connect(call);
    return call.ready;
  }

  async function connect(c) {
    const local = await media();
    if (call !== c) {
      // Over before the camera came.
      local?.getTracks().forEach((tr) => tr.stop());
      return;
    }
    c.local = local;
    $("video-local").srcObject = local;
    const pc = new RTCPeerConnection({ iceServers: config.iceServers || [] });
    c.pc = pc;
    if (local) local.getTracks().forEach((track) => pc.addTrack(track, local));
    // Receive both kinds even when this side sends nothing.
    if (!local || local.getVideoTracks().length === 0) pc.addTransceiver("video", { direction: "recvonly" });
    if (!local) pc.addTransceiver("audio", { direction: "recvonly" });
    pc.onicecandidate = (e) => {
      if (e.candidate) send("ice", JSON.stringify(e.candidate));
    };
    pc.ontrack = (e) => {
      const remote = $("video-remote");
      if (remote.srcObject !== e.streams[0]) remote.srcObject = e.streams[0];
    };
    pc.onconnectionstatechange = () => {
      if (call === c) root.dataset.callState = pc.connectionState;
    };
  }

  async function send(kind, data) {
    if (!call) return;
    await command("SendSignal", company, call.ticket, kind, data);
  }

  async function offer() {
    const pc = call.pc;
    const o = await pc.createOffer();
    await pc.setLocalDescription(o);
    await send("offer", JSON.stringify(pc.localDescription));
  }

  async function remoteSet() {
    call.remoteSet = true;
    for (const c of call.pending.splice(0)) await call.pc.addIceCandidate(c).catch(() => {});
  }

  async function onSignal(s) {
    switch (s.kind) {
      case "called":
        if (!isRep) {
          setMine({ ...(mine || {}), company, ticket: s.ticket, state: "called", position: 0, deadline: s.deadline, repName: s.peerName });
        }
        return;
      case "skipped":
        if (isRep) {
          notice(format(t["queue.repskipped"], s.peerName || ""));
          if (call && call.ticket === s.ticket) hangUp();
          refreshBoard();
        } else {
          refreshMine();
        }
        return;
      case "left":
      case "ended":
        if (call && call.ticket === s.ticket) {
          hangUp();
          notice(s.kind === "left" ? format(t["queue.left"], s.peerName || "") : t["queue.ended"]);
        }
        if (isRep) refreshBoard();
        else refreshMine();
        return;
      case "answered":
        if (isRep && call && call.ticket === s.ticket && config.livekit) {
          showCall(s.ticket, s.peerName, "incall");
          await joinRoom(call);
        } else if (isRep && call && call.ticket === s.ticket) {
          await startCall(s.ticket, s.peerName);
          if (!call || call.ticket !== s.ticket || !call.pc) return;
          showCall(s.ticket, s.peerName, "incall");
          await offer();
        }
        return;
    }
    if (!call || call.ticket !== s.ticket || !call.pc) return;
    const pc = call.pc;
    if (s.kind === "offer") {
      await pc.setRemoteDescription(JSON.parse(s.data));
      await remoteSet();
      const a = await pc.createAnswer();
      await pc.setLocalDescription(a);
      await send("answer", JSON.stringify(pc.localDescription));
    } else if (s.kind === "answer") {
      await pc.setRemoteDescription(JSON.parse(s.data));
      await remoteSet();
    } else if (s.kind === "ice") {
      const c = JSON.parse(s.data);
      if (call.remoteSet) await pc.addIceCandidate(c).catch(() => {});
      else call.pending.push(c);
    }
  }

  function hangUp() {
    if (call) {
      call.pc?.close();
      call.local?.getTracks().forEach((tr) => tr.stop());
      call.room?.disconnect();
      call.audio?.forEach((a) => a.remove());
    }
    call = null;
    $("video-local").srcObject = null;
    $("video-remote").srcObject = null;
    $("call").hidden = true;
    delete root.dataset.callState;
  }

  async function end() {
    if (!call) return;
    const ticket = call.ticket;
    hangUp();
    await command("EndCall", company, ticket);
    if (isRep) refreshBoard();
    else refreshMine();
  }

  // ---- wiring --------------------------------------------------------------------------------

  if (signedIn && !isRep) {
    $("queue-join").addEventListener("click", join);
    $("queue-leave").addEventListener("click", leave);
    $("call-answer").addEventListener("click", () => answer().catch(() => {}));
    $("call-decline").addEventListener("click", leave);
  }
  if (isRep) {
    $("call-next").addEventListener("click", () => callNext().catch(() => {}));
    $("queue-open").addEventListener("change", (e) => setOpen(e.target.checked));
  }
  $("call-end").addEventListener("click", () => end().catch(() => {}));

  // After each (re)join of the session: the ticket or board as it stands, which also tells the
  // queue which node reaches this person now; and every 20 s while waiting, in case it moved.
  async function afterJoin(serverTime) {
    if (serverTime) clockSkew = serverTime - Date.now();
    if (isRep) await refreshBoard();
    else if (signedIn) await refreshMine();
  }
  setInterval(() => {
    if (isRep) refreshBoard();
    else if (mine && ["waiting", "called", "in_call"].includes(mine.state)) refreshMine();
  }, 20000);

  return { onView, afterJoin };
}

