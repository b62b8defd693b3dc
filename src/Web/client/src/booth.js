// A job fair booth's live layer: joins the booth's session (link.js), keeps the count of visitors
// here now and the booth chat up to date, sends chat with a client id (a retry never posts twice),
// gives the booth's moderators (its company's representatives included) delete and mute, and
// runs the booth's queue for 1:1 video calls (call.js).
import { createLink } from "./link.js";
import { bindChatForm, button, createNotice, el } from "./dom.js";
import { createQueue } from "./call.js";

const root = document.getElementById("booth-live");
if (root) {
  start(root);
}

function start(root) {
  const sessionId = root.dataset.session;
  const canModerate = root.dataset.canModerate === "true";
  const me = root.dataset.user || null;
  const max = Number(root.dataset.maxChat) || 500;
  const t = JSON.parse(document.getElementById("live-text").textContent);
  const $ = (id) => document.getElementById(id);
  const { notice, showError } = createNotice(t);
  const ids = new Set();
  const list = $("chat");
  let queue = null;
  let serverTime = 0;

  const { connection, connect, command, commandReporting } = createLink({
    sessionId,
    onSnapshot: (s) => {
      serverTime = s.serverTime;
      queue?.onView(s.queue);
      renderCount(s.counts);
      list.replaceChildren();
      ids.clear();
      s.chat.forEach(add);
    },
    onUpdate: (u) => {
      if (u.counts) renderCount(u.counts);
      if (u.chat) u.chat.forEach(add);
      if (u.deleted) u.deleted.forEach(remove);
      if (u.queue) queue?.onView(u.queue);
    },
    afterJoin: () => queue?.afterJoin(serverTime),
    onError: showError,
    onNotice: (key) => notice(key ? t[key] : ""),
  });

  function renderCount(c) {
    $("count-current").textContent = c.current;
  }

  function add(m) {
    if (ids.has(m.id)) return;
    ids.add(m.id);
    const li = el("li");
    li.dataset.id = m.id;
    const name = el("strong", m.authorName || t["formermember"], "author");
    li.append(name);
    if (m.badge) li.append(" ", el("span", t["badge." + m.badge] || m.badge, "staff staff-" + m.badge));
    li.append(" ", el("span", m.text, "text"));
    // Moderation follows rank (the server checks it too): staff messages are not a booth's to remove.
    const mine = m.authorId === me;
    if (canModerate && (mine || !m.badge || m.badge === "rep")) {
      const tools = el("span", null, "tools");
      tools.append(button(t["delete"], () => command("DeleteMessage", sessionId, m.id)));
      if (!mine) tools.append(button(t["mute"], () => command("MuteUser", sessionId, m.authorId, 10)));
      li.append(" ", tools);
    }
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(li);
    while (list.children.length > 200) {
      ids.delete(Number(list.firstElementChild.dataset.id));
      list.firstElementChild.remove();
    }
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function remove(id) {
    list.querySelector(`li[data-id="${id}"]`)?.remove();
    ids.delete(id);
  }

  const queueRoot = $("booth-queue");
  if (queueRoot) queue = createQueue({ root: queueRoot, connection, commandReporting, t });

  bindChatForm({ max, t, notice, command, sessionId });
  connect();
}
