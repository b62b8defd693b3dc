// The watch page's live layer: joins the session over the hub, applies the snapshot, then
// applies coalesced updates in sequence order; on a gap or a reconnect it joins again and
// starts from a fresh snapshot. Commands carry client ids so a retry never counts twice.
import { HubConnectionBuilder, HttpTransportType, LogLevel } from "@microsoft/signalr";
import { createPlayer } from "./player.js";
import { startReplay } from "./replay.js";
import { createStage } from "./stage.js";

const root = document.getElementById("live");
if (root) {
  start(root);
}

function newId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function start(root) {
  const sessionId = root.dataset.session;
  const t = JSON.parse(document.getElementById("live-text").textContent);
  // The titles of the session's projects in the page's language: an option standing for a project shows it.
  const projectTitles = JSON.parse(document.getElementById("project-titles")?.textContent || "{}");
  const labelOf = (o) => (o.project && projectTitles[o.project]) || o.label;
  const $ = (id) => document.getElementById(id);
  const state = {
    you: {
      signedIn: root.dataset.signedIn === "true",
      userId: root.dataset.user || null,
      canModerate: root.dataset.canModerate === "true",
      canOrganize: root.dataset.canOrganize === "true",
    },
    seq: -1,
    joining: null,
    buffered: [],
    chatIds: new Set(),
    rounds: new Map(),
    // The signed-in person's own ballots (round id to its option ids joined by commas), from the server's snapshot.
    myVotes: {},
    // Options ticked on a multi-choice ballot not yet cast (round id to a Set of option ids).
    picks: new Map(),
  };

  const stage = createStage($("video"), async (publish) => {
    const result = await command("GetLiveKitToken", sessionId, publish);
    return result?.ok ? result.value : null;
  }, (key) => {
    const note = $("stream-note");
    note.textContent = key ? t[key] : "";
    note.hidden = !key;
  });
  const player = createPlayer($("video"), $("stream-note"), t, stage);
  // On a replay the chat list follows the video, not the hub.
  const replay = root.dataset.timeline || null;
  if (replay) startReplay({ url: replay, video: $("video"), list: $("chat"), chapters: $("chapters"), el, t });

  const connection = new HubConnectionBuilder()
    .withUrl("/hubs/live", { skipNegotiation: true, transport: HttpTransportType.WebSockets })
    .withAutomaticReconnect({
      // Jittered exponential backoff, never giving up: a node that dies sends its viewers to another.
      nextRetryDelayInMilliseconds: (ctx) => Math.min(30000, 500 * 2 ** Math.min(ctx.previousRetryCount, 6)) * (0.5 + Math.random()),
    })
    .configureLogging(LogLevel.Warning)
    .build();

  connection.on("Update", (u) => {
    if (u.sessionId !== sessionId) return;
    if (state.joining) {
      state.buffered.push(u);
      return;
    }
    applyUpdate(u);
  });
  connection.onreconnecting(() => notice(t["reconnecting"]));
  connection.onreconnected(() => join());
  connection.onclose(() => setTimeout(connect, 2000 + Math.random() * 3000));

  async function connect() {
    try {
      await connection.start();
      await join();
    } catch {
      setTimeout(connect, 2000 + Math.random() * 3000);
    }
  }

  async function join() {
    state.joining = true;
    state.buffered = [];
    try {
      let result;
      try {
        result = await connection.invoke("JoinSession", sessionId);
      } catch {
        result = { ok: false, error: { code: "try_again", retryAfterMs: 2000 } };
      }
      if (!result.ok) {
        showError(result.error);
        if (result.error.code === "try_again" || result.error.code === "rate_limited") {
          setTimeout(join, (result.error.retryAfterMs || 2000) * (0.5 + Math.random()));
        }
        return;
      }
      applySnapshot(result.value);
      notice("");
      state.afterJoin?.();
    } finally {
      state.joining = false;
    }
    const waiting = state.buffered;
    state.buffered = [];
    waiting.forEach(applyUpdate);
  }

  function applySnapshot(s) {
    state.seq = s.seq;
    state.you = { ...state.you, ...s.you };
    state.myVotes = { ...(s.you.votes || {}) };
    if (state.you.canModerate) loadSanctions();
    renderCounts(s.counts);
    renderReactions(s.reactions);
    if (!replay) {
      $("chat").replaceChildren();
      state.chatIds.clear();
      s.chat.forEach(addMessage);
    }
    renderSettings(s.settings);
    renderStream(s.stream);
    state.rounds.clear();
    s.rounds.forEach((r) => state.rounds.set(r.roundId, r));
    renderRounds();
  }

  function applyUpdate(u) {
    // Before the first snapshot there is nothing to apply an update to; the join brings the state.
    if (state.seq < 0 || u.seq <= state.seq) return;
    if (u.seq > state.seq + 1) {
      // Missed an update: start again from a snapshot.
      join();
      return;
    }
    state.seq = u.seq;
    if (u.counts) renderCounts(u.counts);
    if (u.reactions) renderReactions(u.reactions);
    if (u.chat && !replay) u.chat.forEach(addMessage);
    if (u.deleted && !replay) u.deleted.forEach(removeMessage);
    if (u.settings) {
      renderSettings(u.settings);
      if (state.you.canModerate) loadSanctions();
    }
    if (u.rounds) {
      u.rounds.forEach((r) => state.rounds.set(r.roundId, r));
      renderRounds();
    }
    if (u.stream) renderStream(u.stream);
  }

  function renderStream(stream) {
    if (stream.state === "ended" && stream.playlist && state.stream?.playlist !== stream.playlist) state.reloadReplays?.();
    state.stream = stream;
    player.show(stream, state.status);
    const health = $("health-state");
    if (health) {
      health.textContent = t["stream.state." + stream.state] || stream.state;
      $("health-bitrate").textContent = stream.bitrateKbps > 0 ? stream.bitrateKbps + " kbps" : "–";
      $("health-length").textContent = stream.seconds > 0 ? Math.round(stream.seconds) + " s" : "–";
    }
  }

  function renderCounts(c) {
    $("count-current").textContent = c.current;
    $("count-peak").textContent = c.peak;
    $("count-unique").textContent = c.unique;
    $("count-views").textContent = c.totalViews;
    $("count-replay").textContent = c.replayViews || 0;
    $("count-replay-box").hidden = !c.replayViews;
  }

  function renderReactions(r) {
    for (const [kind, total] of Object.entries(r)) {
      const el = $("reaction-" + kind);
      if (el) el.textContent = total;
    }
  }

  function renderSettings(s) {
    const ended = s.status === "ended" && state.status !== "ended";
    state.status = s.status;
    // A session ended with no stream says so at once, not at the next stream update.
    if (ended && state.stream) player.show(state.stream, s.status);
    const badge = $("state");
    badge.textContent = t["state." + s.status] || s.status;
    badge.className = "badge " + (s.status === "scheduled" ? "upcoming" : s.status);
    $("slowmode").textContent = s.slowModeSeconds > 0 ? format(t["slowmode"], s.slowModeSeconds) : "";
    const select = $("slowmode-select");
    if (select) select.value = String(s.slowModeSeconds);
    const pinned = $("pinned");
    if (s.pinned) {
      pinned.hidden = false;
      pinned.replaceChildren(...author(s.pinned), " ", el("span", s.pinned.text, "text"));
      if (state.you.canModerate) pinned.append(" ", button(t["unpin"], () => command("PinMessage", sessionId, null)));
    } else {
      pinned.hidden = true;
      pinned.replaceChildren();
    }
  }

  // The author's name, isolated so its characters cannot reorder the text beside it, and their staff badge.
  function author(m) {
    const name = el("strong", m.authorName || t["formermember"], "author");
    return m.badge ? [name, " ", el("span", t["badge." + m.badge] || m.badge, "staff staff-" + m.badge)] : [name];
  }

  function addMessage(m) {
    if (state.chatIds.has(m.id)) return;
    state.chatIds.add(m.id);
    const list = $("chat");
    const li = el("li");
    li.dataset.id = m.id;
    li.append(...author(m), " ", el("span", m.text, "text"));
    if (state.you.canModerate) {
      const tools = el("span", null, "tools");
      tools.append(button(t["pin"], () => command("PinMessage", sessionId, m.id)));
      // Moderation follows rank (the server checks it too): organizers' messages are theirs, moderators' an organizer's.
      const mine = m.authorId === state.you.userId;
      const outranked = m.badge === "organizer" || (m.badge === "moderator" && !state.you.canOrganize);
      if (mine || !outranked) tools.append(button(t["delete"], () => command("DeleteMessage", sessionId, m.id)));
      if (!mine && !outranked) {
        tools.append(
          button(t["mute"], () => moderate("MuteUser", sessionId, m.authorId, 10)),
          button(t["ban"], () => confirm(format(t["confirmban"], m.authorName)) && moderate("BanUser", sessionId, m.authorId, true)),
        );
      }
      li.append(" ", tools);
    }
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(li);
    while (list.children.length > 200) {
      state.chatIds.delete(Number(list.firstElementChild.dataset.id));
      list.firstElementChild.remove();
    }
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function removeMessage(id) {
    const li = $("chat").querySelector(`li[data-id="${id}"]`);
    if (li) li.remove();
  }

  function renderRounds() {
    const container = $("rounds");
    const rounds = [...state.rounds.values()].sort((a, b) => b.openedAt - a.openedAt);
    container.replaceChildren(...rounds.map(renderRound));
  }

  // A round's window is the server's: past its end the buttons go (the server refuses anyway).
  function isOpen(r) {
    return r.status === "open" && !(r.closesAt && Date.now() >= r.closesAt);
  }

  function renderRound(r) {
    const box = el("div", null, "round " + r.status);
    box.dataset.round = r.roundId;
    box.append(el("h2", r.question));
    const mine = state.myVotes[r.roundId];
    const chosen = mine ? mine.split(",") : [];
    const most = r.maxChoices || 1;
    const canVote = isOpen(r) && state.you.signedIn && !mine;
    if (canVote && most > 1) box.append(el("p", format(t["chooseupto"], most) + " " + t["ballotfinal"], "muted"));
    const picked = state.picks.get(r.roundId) || new Set();
    const list = el("ul");
    for (const o of r.options) {
      const li = el("li");
      if (canVote && most === 1) {
        const b = button(labelOf(o), () => vote(r.roundId, [o.id]));
        b.className = "option";
        b.dataset.option = o.id;
        li.append(b);
      } else if (canVote) {
        const label = el("label", null, "check");
        const box2 = document.createElement("input");
        box2.type = "checkbox";
        box2.dataset.option = o.id;
        box2.checked = picked.has(o.id);
        box2.disabled = !picked.has(o.id) && picked.size >= most;
        box2.addEventListener("change", () => {
          if (box2.checked) picked.add(o.id); else picked.delete(o.id);
          state.picks.set(r.roundId, picked);
          renderRounds();
        });
        label.append(box2, " ", labelOf(o));
        li.append(label);
      } else {
        li.append(el("span", (chosen.includes(o.id) ? "✓ " : "") + labelOf(o), "label"));
      }
      if (o.votes !== undefined && o.votes !== null) {
        const pct = r.totalVotes > 0 ? Math.round((o.votes * 100) / r.totalVotes) : 0;
        const bar = el("span", null, "bar");
        bar.style.width = pct + "%";
        li.append(bar, el("span", `${o.votes} (${pct}%)`, "votes"));
      }
      list.append(li);
    }
    box.append(list);
    if (canVote && most > 1) {
      const cast = button(format(t["castballot"], picked.size, most), () => vote(r.roundId, r.options.map((o) => o.id).filter((id) => picked.has(id))));
      cast.className = "cast";
      cast.disabled = picked.size === 0;
      box.append(cast);
    }
    if (r.closesAt && r.status === "open") {
      box.append(el("p", format(t["closesat"], new Date(r.closesAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })), "muted closes"));
    }
    const foot = el("p", r.totalVotes === 1 ? t["totalvotes1"] : format(t["totalvotes"], r.totalVotes), "total");
    if (r.status === "open" && !r.showTally) foot.append(" · " + t["hiddentally"]);
    if (r.status === "closed") foot.append(" · " + t["closed"]);
    if (mine) foot.append(" · " + t["voted"]);
    box.append(foot);
    if (r.status === "open" && state.you.canOrganize) {
      box.append(button(t["closeround"], () => command("CloseRound", r.roundId)));
    }
    return box;
  }

  async function vote(roundId, optionIds) {
    // One id per round, kept across reloads, so any retry of this ballot is the same vote.
    const key = "vote:" + roundId;
    let id = sessionStorage.getItem(key);
    if (!id) {
      id = newId();
      sessionStorage.setItem(key, id);
    }
    const result = optionIds.length === 1 && (state.rounds.get(roundId)?.maxChoices || 1) === 1
      ? await command("CastVote", roundId, optionIds[0], id)
      : await command("CastBallot", roundId, optionIds, id);
    if (result?.ok) {
      state.picks.delete(roundId);
      state.myVotes[roundId] = result.value.optionId;
      if (result.value.status === "already_voted") notice(t["alreadyvoted"]);
      renderRounds();
    }
  }

  async function command(method, ...args) {
    // try_again: retry a few times with the same arguments (and client id), which never counts twice.
    for (let attempt = 0; attempt < 4; attempt++) {
      let result;
      try {
        result = await connection.invoke(method, ...args);
      } catch {
        result = { ok: false, error: { code: "try_again", retryAfterMs: 1000 } };
      }
      if (result.ok || result.error.code !== "try_again" || attempt === 3) {
        if (!result.ok) showError(result.error);
        return result;
      }
      await new Promise((r) => setTimeout(r, (result.error.retryAfterMs || 1000) * (0.5 + Math.random())));
    }
  }

  // Mutes and bans in force, for moderators, each with a button that lifts it.
  async function loadSanctions() {
    const list = $("sanctions");
    if (!list) return;
    let result;
    try {
      result = await connection.invoke("ListSanctions", sessionId);
    } catch {
      return;
    }
    if (!result.ok) return;
    if (result.value.length === 0) {
      list.replaceChildren(el("li", t["sanctions.none"], "muted"));
      return;
    }
    list.replaceChildren(...result.value.map((s) => {
      const li = el("li");
      li.dataset.user = s.userId;
      li.dataset.kind = s.kind;
      const what = s.kind === "ban" ? t["sanctions.ban"]
        : s.until ? format(t["sanctions.mute"], new Date(s.until).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }))
        : t["sanctions.muteforever"];
      li.append(el("strong", s.displayName), " ", el("span", what, "muted"), " ",
        button(t["lift"], () => s.kind === "ban" ? moderate("BanUser", sessionId, s.userId, false) : moderate("MuteUser", sessionId, s.userId, 0)));
      return li;
    }));
  }

  async function moderate(method, ...args) {
    const result = await command(method, ...args);
    loadSanctions();
    return result;
  }

  function showError(error) {
    let text = t["error." + error.code] || error.message || error.code;
    if (error.retryAfterMs) text += " " + format(t["retryafter"], Math.ceil(error.retryAfterMs / 1000));
    notice(text, true);
  }

  function notice(text, isError) {
    const n = $("notice");
    n.textContent = text || "";
    n.classList.toggle("error", !!isError);
  }

  function format(template, ...values) {
    return (template || "").replace(/\{(\d+)\}/g, (_, i) => values[Number(i)]);
  }

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== null && text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  function button(label, onClick) {
    const b = el("button", label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  const form = $("chat-form");
  if (form) {
    const box = $("chat-text");
    const max = Number(root.dataset.maxChat) || 500;
    const length = $("chat-length");
    // A pasted text over the limit is kept whole and the sender is told, never cut silently.
    const showLength = () => {
      const n = box.value.trim().length;
      length.textContent = n > max * 0.8 ? format(t["chatlength"], n, max) : "";
      length.classList.toggle("error", n > max);
    };
    box.addEventListener("input", showLength);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = box.value.trim();
      if (!text) return;
      const n = text.length;
      if (n > max) {
        notice(format(t["toolong"], n, max), true);
        return;
      }
      const result = await command("SendChat", sessionId, text, newId());
      if (result?.ok) {
        box.value = "";
        showLength();
        notice("");
      }
    });
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
  }

  document.querySelectorAll("[data-react]").forEach((b) =>
    b.addEventListener("click", () => command("React", sessionId, b.dataset.react)),
  );
  document.querySelectorAll("[data-status]").forEach((b) =>
    b.addEventListener("click", () => command("SetSessionStatus", sessionId, b.dataset.status)),
  );
  const ingest = $("ingest-url");
  if (ingest) {
    const ffmpeg = $("ffmpeg-command");
    const showKey = (key) => {
      const url = ingest.dataset.base + "/ingest/" + sessionId + "/" + key.key + "/index.m3u8";
      ingest.value = url;
      ffmpeg.textContent = ffmpeg.textContent.replace(/"[^"]*"$/, '"' + url + '"');
      const rtmpKey = $("rtmp-key");
      if (rtmpKey) rtmpKey.value = sessionId + "." + key.key;
    };
    $("copy-ingest").addEventListener("click", async () => {
      ingest.select();
      try {
        await navigator.clipboard.writeText(ingest.value);
        notice(t["copied"]);
      } catch {
        // Without clipboard access (plain HTTP) the address stays selected for copying by hand.
      }
    });
    $("regenerate-key").addEventListener("click", async () => {
      if (!confirm(t["confirmregenerate"])) return;
      const result = await command("RegenerateStreamKey", sessionId);
      if (result?.ok) showKey(result.value);
    });
  }
  const stageSection = $("livekit-stage");
  if (stageSection) {
    let stageRoom = null;
    let onStage = null;
    const showStage = (view) => {
      if (!view) return;
      stageRoom = view.room;
      $("open-stage").hidden = true;
      $("speak").hidden = false;
      $("stage-secrets").hidden = false;
      $("stage-url").value = view.ingressUrl;
      $("stage-key").value = view.ingressKey;
      $("stage-recording").textContent = t[view.records ? "stage.records" : "stage.norecording"];
    };
    const loadStage = async () => {
      const result = await command("GetStage", sessionId);
      if (result?.ok) showStage(result.value);
    };
    stageSection.dataset.load = "pending";
    state.afterJoin = () => { if (stageSection.dataset.load === "pending") { stageSection.dataset.load = "done"; loadStage(); } };
    $("open-stage").addEventListener("click", async () => {
      const result = await command("OpenStage", sessionId);
      if (result?.ok) showStage(result.value);
    });
    $("speak").addEventListener("click", async () => {
      if (onStage) {
        await onStage.leave();
        onStage = null;
        $("speak").textContent = t["stage.speak"];
        $("stage-preview").hidden = true;
        return;
      }
      try {
        onStage = await stage.speak(stageRoom, $("stage-preview"));
        if (onStage) $("speak").textContent = t["stage.leave"];
      } catch (e) {
        notice(t["stage.nocamera"]);
      }
    });
  }
  const replayAdmin = $("replay-admin");
  if (replayAdmin) {
    const clock = (s) => {
      s = Math.round(s);
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
      return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
    };
    // "1:05:30", "5:30" or "330" to seconds; "" to null; NaN when malformed.
    const seconds = (text) => {
      text = text.trim();
      if (!text) return null;
      if (!/^\d+(:\d{1,2}){0,2}$/.test(text)) return NaN;
      return text.split(":").reduce((total, part) => total * 60 + Number(part), 0);
    };
    const field = (label, input) => {
      const l = el("label", label);
      l.append(" ", input);
      return l;
    };
    const render = (replays) => {
      if (!replays.length) {
        replayAdmin.replaceChildren(el("li", t["replay.none"], "muted"));
        return;
      }
      replayAdmin.replaceChildren(...replays.slice().reverse().map((r, index) => {
        const li = el("li");
        // Folded, but for the newest: a long list of replays stays short on a phone.
        const box = el("details");
        box.open = index === 0;
        li.dataset.broadcast = r.broadcastId;
        // In the session's own time zone, as every other time on the page.
        const offset = Number(root.dataset.utcOffset || 0);
        const zone = "UTC" + (offset >= 0 ? "+" : "−") + Math.floor(Math.abs(offset) / 60) + (Math.abs(offset) % 60 ? ":" + String(Math.abs(offset) % 60).padStart(2, "0") : "");
        const when = new Date(r.startedAt + offset * 60000).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " (" + zone + ")";
        // The platform names an uploaded recording's playlist upload-{ms}.m3u8 (docs/live-api.md §8).
        const uploaded = r.originalPlaylist.startsWith("upload-");
        const title = el("summary", format(t[uploaded ? "replay.uploaded" : "replay.item"], when, clock(r.seconds), clock(r.originalSeconds)) + (r.hidden ? " · " + t["replay.hidden"] : ""));
        const from = Object.assign(el("input"), { name: "from", value: r.trimStart > 0 ? clock(r.trimStart) : "", inputMode: "numeric", placeholder: "0:00" });
        const to = Object.assign(el("input"), { name: "to", value: r.trimEnd != null ? clock(r.trimEnd) : "", inputMode: "numeric", placeholder: clock(r.originalSeconds) });
        const hidden = Object.assign(el("input"), { type: "checkbox", name: "hidden", checked: r.hidden });
        const hiddenLabel = el("label", "", "check");
        hiddenLabel.append(hidden, " ", t["replay.hidden"]);
        const save = Object.assign(el("button", t["replay.save"]), { type: "button" });
        save.addEventListener("click", async () => {
          const start = seconds(from.value) ?? 0, end = seconds(to.value);
          if (Number.isNaN(start) || Number.isNaN(end)) {
            notice(t["replay.badtime"]);
            return;
          }
          const result = await command("EditReplay", sessionId, r.broadcastId, { trimStart: start, trimEnd: end, hidden: hidden.checked });
          if (result?.ok) {
            notice(format(t["replay.saved"], clock(result.value.seconds)));
            loadReplays();
          }
        });
        const replaceInput = Object.assign(el("input"), { type: "file", accept: "video/*,.mkv,.ts,.flv", hidden: true });
        const replaceButton = Object.assign(el("button", t["replay.replace"]), { type: "button" });
        replaceButton.addEventListener("click", () => replaceInput.click());
        replaceInput.addEventListener("change", () => { if (replaceInput.files[0]) upload(replaceInput.files[0], r.broadcastId); });
        box.append(title, field(t["replay.from"], from), field(t["replay.to"], to), hiddenLabel, save, replaceButton, replaceInput);
        li.append(box);
        return li;
      }));
    };
    // The file is the request's body; XMLHttpRequest, for its upload progress.
    const status = $("upload-status");
    const upload = (file, replace) => new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/sessions/" + sessionId + "/recordings" + (replace ? "?replace=" + replace : ""));
      xhr.setRequestHeader("RequestVerificationToken", document.querySelector("#upload-form input[name=__RequestVerificationToken]").value);
      xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        const percent = Math.floor((100 * e.loaded) / e.total);
        status.textContent = percent < 100 ? format(t["upload.progress"], percent) : t["upload.processing"];
      };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
        status.textContent = xhr.status === 201 ? format(t["upload.done"], clock(body.seconds || 0)) : format(t["upload.failed"], body.detail || xhr.statusText);
        loadReplays();
        resolve();
      };
      xhr.onerror = () => {
        status.textContent = format(t["upload.failed"], xhr.statusText || "network");
        resolve();
      };
      xhr.send(file);
    });
    $("upload-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const input = e.target.querySelector("input[type=file]");
      if (input.files[0]) await upload(input.files[0], null);
      e.target.reset();
    });
    const loadReplays = async () => {
      const result = await command("ListReplays", sessionId);
      if (result?.ok) render(result.value);
    };
    const previous = state.afterJoin;
    state.afterJoin = () => { previous?.(); if (!replayAdmin.dataset.loaded) { replayAdmin.dataset.loaded = "1"; loadReplays(); } };
    state.reloadReplays = loadReplays;
  }
  const markerForm = $("marker-form");
  if (markerForm) {
    // One client id per title typed: a double click marks once.
    let markerId = null;
    markerForm.addEventListener("input", () => { markerId = null; });
    markerForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      markerId ??= newId();
      const title = String(new FormData(markerForm).get("title") || "").trim();
      const result = await command("AddMarker", sessionId, title, markerId);
      if (result?.ok) {
        notice(format(t["marked"], result.value.title));
        markerForm.reset();
        markerId = null;
      }
    });
  }
  const slow = $("slowmode-select");
  if (slow) slow.addEventListener("change", () => command("SetSlowMode", sessionId, Number(slow.value)));
  const roundForm = $("round-form");
  if (roundForm) {
    // One command id per filled-in form: a double click or a retry opens one round, not two.
    let roundCommandId = null;
    roundForm.addEventListener("input", () => { roundCommandId = null; });
    const fromOrder = roundForm.querySelector("[name=fromRunningOrder]");
    const optionsBox = roundForm.querySelector("[name=options]");
    const syncOptions = () => {
      if (!fromOrder) return;
      optionsBox.required = !fromOrder.checked;
      optionsBox.closest("label").hidden = fromOrder.checked;
    };
    fromOrder?.addEventListener("change", syncOptions);
    syncOptions();
    roundForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      roundCommandId ??= newId();
      const data = new FormData(roundForm);
      const fromRunningOrder = data.get("fromRunningOrder") === "on";
      const window = Number(data.get("windowMinutes") || 0);
      const request = {
        question: String(data.get("question") || ""),
        options: fromRunningOrder ? [] : String(data.get("options") || "").split("\n").map((s) => s.trim()).filter(Boolean),
        showTally: data.get("showTally") === "on",
        verifiedOnly: data.get("verifiedOnly") === "on",
        clientCommandId: roundCommandId,
        maxChoices: Number(data.get("maxChoices") || 1),
        windowSeconds: window > 0 ? window * 60 : null,
        fromRunningOrder,
      };
      const result = await command("OpenRound", sessionId, request);
      if (result?.ok) {
        roundForm.reset();
        syncOptions();
        roundCommandId = null;
      }
    });
  }

  connect();
}
