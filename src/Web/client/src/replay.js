// A replay's chapters and chat, in step with the video: the chat shows the messages sent up to the
// second being watched (moving back removes the later ones), and a chapter seeks the video there.
export function startReplay({ url, video, list, chapters, el, t }) {
  let messages = [];
  let shown = -1;

  function render() {
    const now = video.currentTime;
    let count = 0;
    while (count < messages.length && messages[count].at <= now) count++;
    if (count === shown) return;
    shown = count;
    const visible = messages.slice(Math.max(0, count - 200), count);
    list.replaceChildren(...visible.map((m) => {
      const li = el("li");
      li.dataset.id = m.id;
      li.dataset.at = m.at;
      li.append(el("strong", m.authorName || t["formermember"], "author"));
      if (m.badge) li.append(" ", el("span", t["badge." + m.badge] || m.badge, "staff staff-" + m.badge));
      li.append(" ", el("span", m.text, "text"));
      return li;
    }));
    if (count === 0) list.append(el("li", t["replay.nochat"], "muted"));
    list.scrollTop = list.scrollHeight;
  }

  chapters?.querySelectorAll("[data-seek]").forEach((b) =>
    b.addEventListener("click", () => {
      video.currentTime = Number(b.dataset.seek);
      video.play().catch(() => {});
    }),
  );
  video.addEventListener("timeupdate", render);
  video.addEventListener("seeked", render);

  fetch(url, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : { chat: [] }))
    .then((timeline) => {
      messages = timeline.chat;
      render();
    })
    .catch(() => {});
}
