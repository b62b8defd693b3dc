// Small DOM helpers shared by the watch page, the voting page and the booth page.

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

// A notice line of a page (the element with id "notice", or another): a status, or an error in words.
export function createNotice(t, id = "notice") {
  const box = document.getElementById(id);
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

// A page's chat form (#chat-form, #chat-text, #chat-length): Enter sends, Shift+Enter is a new line;
// a pasted text over the limit is kept whole and the sender is told, never cut silently; each send
// carries a new client id, so the link's retries never post twice.
export function bindChatForm({ max, t, notice, command, sessionId }) {
  const form = document.getElementById("chat-form");
  if (!form) return;
  const box = document.getElementById("chat-text");
  const length = document.getElementById("chat-length");
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
    if (text.length > max) {
      notice(format(t["toolong"], text.length, max), true);
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
