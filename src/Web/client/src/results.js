// A contest's results as revealed so far: each revealed place with its project and final score,
// best place first; the place revealed last is marked so the eye finds it.
import { el, format } from "./dom.js";

export function renderResults(container, results, t, titleOf) {
  const shown = results?.shown || [];
  container.hidden = shown.length === 0;
  if (shown.length === 0) {
    container.replaceChildren();
    return;
  }
  const latest = shown[shown.length - 1].place;
  const list = el("ol", null, "results-list");
  for (const p of [...shown].sort((a, b) => a.place - b.place)) {
    const li = el("li", null, p.place === latest ? "latest" : null);
    li.dataset.place = p.place;
    li.append(el("span", format(t["place"], p.place), "place"), el("strong", titleOf(p.project), "title"), el("span", format(t["points"], p.final.toFixed(2)), "points"));
    list.append(li);
  }
  container.replaceChildren(el("h2", t["results"]), list);
}
