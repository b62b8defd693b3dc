// The mobile voting page: the page itself is the same for every visitor (cacheable); this joins
// the session over the hub and draws its rounds with the signed-in person's own ballot, or the
// sign-in button for a visitor.
import { createLink } from "./link.js";
import { createNotice, format } from "./dom.js";
import { createRounds } from "./rounds.js";

const root = document.getElementById("vote");
if (root) start(root);

function start(root) {
  const sessionId = root.dataset.session;
  const $ = (id) => document.getElementById(id);
  const t = JSON.parse($("live-text").textContent);
  const projectTitles = JSON.parse($("project-titles").textContent || "{}");
  let you = { signedIn: false };

  const { notice, showError } = createNotice(t);
  const link = createLink({
    sessionId,
    onSnapshot: (s) => {
      you = s.you;
      $("vote-signin").hidden = you.signedIn;
      $("vote-who").hidden = !you.signedIn;
      $("vote-who").textContent = you.signedIn ? format(t["votingas"], you.displayName) : "";
      rounds.reset(s.rounds, s.you.votes, s.serverTime);
    },
    onUpdate: (u) => { if (u.rounds) rounds.update(u.rounds); },
    onError: showError,
    onNotice: (key) => notice(key ? t[key] : ""),
  });
  const rounds = createRounds({
    container: $("rounds"),
    t,
    labelOf: (o) => (o.project && projectTitles[o.project]) || o.label,
    command: link.command,
    notice,
    you: () => you,
    canClose: () => false,
  });
  $("rounds").addEventListener("rounds", (e) => { $("vote-none").hidden = e.detail.length > 0; });
  link.connect();
}
