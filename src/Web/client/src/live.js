// The watch page's live layer: the link (link.js) joins the session and hands over the snapshot
// and the updates in order; this page draws them. Commands carry client ids so a retry never
// counts twice.
import { createLink } from "./link.js";
import { bindChatForm, button, createNotice, el, format, newId } from "./dom.js";
import { createRounds } from "./rounds.js";
import { renderResults } from "./results.js";
import { createPlayer } from "./player.js";
import { startReplay } from "./replay.js";
import { createStage } from "./stage.js";

const root = document.getElementById("live");
if (root) {
  start(root);
}

function start(root) {
  const sessionId = root.dataset.session;
  const t = JSON.parse(document.getElementById("live-text").textContent);
  // The titles of the session's projects in the page's language: an option standing for a project shows it.
  const projectTitles = JSON.parse(document.getElementById("project-titles")?.textContent || "{}");
  const labelOf = (o) => (o.project && projectTitles[o.project]) || o.label;
  const titleOf = (slug) => projectTitles[slug] || slug;
  const $ = (id) => document.getElementById(id);
  const { notice, showError } = createNotice(t);
  const state = {
    you: {
      signedIn: root.dataset.signedIn === "true",
      userId: root.dataset.user || null,
      canModerate: root.dataset.canModerate === "true",
      canOrganize: root.dataset.canOrganize === "true",
    },
    chatIds: new Set(),
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

  const link = createLink({
    sessionId,
    onSnapshot: applySnapshot,
    onUpdate: applyUpdate,
    onError: showError,
    onNotice: (key) => notice(key ? t[key] : ""),
    afterJoin: () => state.afterJoin?.(),
  });
  const { connection, command } = link;
  const rounds = createRounds({
    container: $("rounds"),
    t,
    labelOf,
    command,
    notice,
    you: () => state.you,
    canClose: () => state.you.canOrganize,
  });

  function applySnapshot(s) {
    state.you = { ...state.you, ...s.you };
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
    rounds.reset(s.rounds, s.you.votes, s.serverTime);
    renderResults($("results"), s.results, t, titleOf);
  }

  function applyUpdate(u) {
    if (u.counts) renderCounts(u.counts);
    if (u.reactions) renderReactions(u.reactions);
    if (u.chat && !replay) u.chat.forEach(addMessage);
    if (u.deleted && !replay) u.deleted.forEach(removeMessage);
    if (u.settings) {
      renderSettings(u.settings);
      if (state.you.canModerate) loadSanctions();
    }
    if (u.rounds) rounds.update(u.rounds);
    if (u.results) renderResults($("results"), u.results, t, titleOf);
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

  bindChatForm({ max: Number(root.dataset.maxChat) || 500, t, notice, command, sessionId });

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

  link.connect();
}
