// Vote rounds as a page shows them: the options as buttons (one choice) or checkboxes with a cast
// button (up to N), the tally when the round shows it, the closing time, and the signed-in
// person's own ballot, which comes from the server. A ballot keeps one client id per round across
// reloads, so a retried ballot is the same vote.
import { button, el, format, newId } from "./dom.js";

export function createRounds({ container, t, labelOf, command, notice, you, canClose }) {
  const rounds = new Map();
  // The signed-in person's own ballots (round id to its option ids joined by commas), from the server's snapshot.
  let mine = {};
  // Options ticked on a multi-choice ballot not yet cast (round id to a Set of option ids).
  const picks = new Map();
  // The server's clock minus this device's, from the snapshot: windows are the server's.
  let skew = 0;

  function reset(list, votes, serverTime) {
    if (serverTime) skew = serverTime - Date.now();
    rounds.clear();
    list.forEach((r) => rounds.set(r.roundId, r));
    mine = { ...(votes || {}) };
    render();
  }

  function update(list) {
    list.forEach((r) => rounds.set(r.roundId, r));
    render();
  }

  function render() {
    const sorted = [...rounds.values()].sort((a, b) => b.openedAt - a.openedAt);
    container.replaceChildren(...sorted.map(renderRound));
    container.dispatchEvent(new CustomEvent("rounds", { detail: sorted }));
  }

  // A round's window is the server's: past its end the buttons go (the server refuses anyway).
  function isOpen(r) {
    return r.status === "open" && !(r.closesAt && Date.now() + skew >= r.closesAt);
  }

  function renderRound(r) {
    const box = el("div", null, "round " + r.status);
    box.dataset.round = r.roundId;
    box.append(el("h2", r.question));
    const ballot = mine[r.roundId];
    const chosen = ballot ? ballot.split(",") : [];
    const most = r.maxChoices || 1;
    const canVote = isOpen(r) && you().signedIn && !ballot;
    if (canVote && most > 1) box.append(el("p", format(t["chooseupto"], most) + " " + t["ballotfinal"], "muted"));
    const picked = picks.get(r.roundId) || new Set();
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
        const tick = document.createElement("input");
        tick.type = "checkbox";
        tick.dataset.option = o.id;
        tick.checked = picked.has(o.id);
        tick.disabled = !picked.has(o.id) && picked.size >= most;
        tick.addEventListener("change", () => {
          if (tick.checked) picked.add(o.id); else picked.delete(o.id);
          picks.set(r.roundId, picked);
          render();
        });
        label.append(tick, " ", labelOf(o));
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
    if (ballot) foot.append(" · " + t["voted"]);
    box.append(foot);
    if (r.status === "open" && canClose()) {
      box.append(button(t["closeround"], () => command("CloseRound", r.roundId)));
    }
    if (canClose()) {
      const review = el("a", t["reviewround"], "review");
      review.href = "/organize/rounds/" + encodeURIComponent(r.roundId);
      box.append(" ", review);
    }
    return box;
  }

  async function vote(roundId, optionIds) {
    const key = "vote:" + roundId;
    let id = sessionStorage.getItem(key);
    if (!id) {
      id = newId();
      sessionStorage.setItem(key, id);
    }
    const result = optionIds.length === 1 && (rounds.get(roundId)?.maxChoices || 1) === 1
      ? await command("CastVote", roundId, optionIds[0], id)
      : await command("CastBallot", roundId, optionIds, id);
    if (result?.ok) {
      picks.delete(roundId);
      mine[roundId] = result.value.optionId;
      if (result.value.status === "already_voted") notice(t["alreadyvoted"]);
      render();
    }
    return result;
  }

  return { reset, update, render };
}
