// Small DOM helpers shared by the watch page and the voting page.

export function newId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function format(template, ...values) {
  return (template || "").replace(/\{(\d+)\}/g, (_, i) => values[Number(i)]);
}

export function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== null && text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export function button(label, onClick) {
  const b = el("button", label);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

// A notice line of a page (the element with id "notice"): a status, or an error in words.
export function createNotice(t) {
  const box = document.getElementById("notice");
  const notice = (text, isError) => {
    box.textContent = text || "";
    box.classList.toggle("error", !!isError);
  };
  // A refusal from the hub in the page's language, with when to try again if the server said.
  const showError = (error) => {
    let text = t["error." + error.code] || error.message || error.code;
    if (error.retryAfterMs) text += " " + format(t["retryafter"], Math.ceil(error.retryAfterMs / 1000));
    notice(text, true);
  };
  return { notice, showError };
}
