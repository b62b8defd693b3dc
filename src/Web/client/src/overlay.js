// The stream overlay: shows the newest open round (its question, and its tally while the round
// shows it, as bars) beside the voting page's QR code. Read only: it never votes.
import { createLink } from "./link.js";
import { el, format } from "./dom.js";
import { renderResults } from "./results.js";

const root = document.getElementById("overlay");
if (root) start(root);

function start(root) {
  const $ = (id) => document.getElementById(id);
  const t = JSON.parse($("live-text").textContent);
  const projectTitles = JSON.parse($("project-titles").textContent || "{}");
  const labelOf = (o) => (o.project && projectTitles[o.project]) || o.label;
  const rounds = new Map();
  // While results are shown they take the place of the round.
  let showing = false;
  const showResults = (results) => {
    showing = (results?.shown || []).length > 0;
    renderResults($("overlay-results"), results, t, (slug) => projectTitles[slug] || slug);
    render();
  };

  function render() {
    const open = [...rounds.values()].filter((r) => r.status === "open").sort((a, b) => b.openedAt - a.openedAt)[0];
    const box = $("overlay-round");
    box.hidden = !open || showing;
    if (!open) {
      box.replaceChildren();
      return;
    }
    const list = el("ol");
    const shown = open.options.some((o) => o.votes !== null && o.votes !== undefined);
    const ordered = shown ? [...open.options].sort((a, b) => b.votes - a.votes).slice(0, 5) : [];
    for (const o of ordered) {
      const li = el("li");
      const pct = open.totalVotes > 0 ? Math.round((o.votes * 100) / open.totalVotes) : 0;
      const bar = el("span", null, "bar");
      bar.style.width = pct + "%";
      li.append(el("span", labelOf(o), "label"), bar, el("span", String(o.votes), "votes"));
      list.append(li);
    }
    box.replaceChildren(
      el("h2", open.question),
      ...(shown ? [list] : []),
      el("p", open.totalVotes === 1 ? t["totalvotes1"] : format(t["totalvotes"], open.totalVotes), "total"));
  }

  const link = createLink({
    sessionId: root.dataset.session,
    onSnapshot: (s) => { rounds.clear(); s.rounds.forEach((r) => rounds.set(r.roundId, r)); render(); showResults(s.results); },
    onUpdate: (u) => {
      if (u.rounds) { u.rounds.forEach((r) => rounds.set(r.roundId, r)); render(); }
      if (u.results) showResults(u.results);
    },
    onError: () => {},
    onNotice: () => {},
  });
  link.connect();
}
