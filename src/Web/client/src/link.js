// One page's link to a live session over the hub: joins the session, hands over the snapshot,
// then the coalesced updates in sequence order; on a gap or a reconnect it joins again and starts
// from a fresh snapshot. Commands are retried on try_again with the same arguments (and so the
// same client id), which never counts twice.
import { HubConnectionBuilder, HttpTransportType, LogLevel } from "@microsoft/signalr";

export function createLink({ sessionId, onSnapshot, onUpdate, onError, onNotice, afterJoin }) {
  let seq = -1;
  let joining = false;
  let buffered = [];

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
    if (joining) {
      buffered.push(u);
      return;
    }
    apply(u);
  });
  connection.onreconnecting(() => onNotice("reconnecting"));
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
    joining = true;
    buffered = [];
    try {
      let result;
      try {
        result = await connection.invoke("JoinSession", sessionId);
      } catch {
        result = { ok: false, error: { code: "try_again", retryAfterMs: 2000 } };
      }
      if (!result.ok) {
        onError(result.error);
        if (result.error.code === "try_again" || result.error.code === "rate_limited") {
          setTimeout(join, (result.error.retryAfterMs || 2000) * (0.5 + Math.random()));
        }
        return;
      }
      seq = result.value.seq;
      onSnapshot(result.value);
      onNotice(null);
      afterJoin?.();
    } finally {
      joining = false;
    }
    const waiting = buffered;
    buffered = [];
    waiting.forEach(apply);
  }

  function apply(u) {
    // Before the first snapshot there is nothing to apply an update to; the join brings the state.
    if (seq < 0 || u.seq <= seq) return;
    if (u.seq > seq + 1) {
      // Missed an update: start again from a snapshot.
      join();
      return;
    }
    seq = u.seq;
    onUpdate(u);
  }

  const command = (method, ...args) => commandReporting(onError, method, ...args);

  // As command, with refusals shown by another part of the page.
  async function commandReporting(report, method, ...args) {
    for (let attempt = 0; attempt < 4; attempt++) {
      let result;
      try {
        result = await connection.invoke(method, ...args);
      } catch {
        result = { ok: false, error: { code: "try_again", retryAfterMs: 1000 } };
      }
      if (result.ok || result.error.code !== "try_again" || attempt === 3) {
        if (!result.ok) report(result.error);
        return result;
      }
      await new Promise((r) => setTimeout(r, (result.error.retryAfterMs || 1000) * (0.5 + Math.random())));
    }
  }

  return { connection, connect, command, commandReporting };
}
