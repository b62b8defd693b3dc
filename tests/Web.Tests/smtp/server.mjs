// A loopback SMTP server for the mail tests: requires AUTH PLAIN/LOGIN with the user and password
// given, writes every accepted message to the folder given as <n>.eml, prints "listening <port>",
// and exits when its standard input closes (the test process died) or after the time limit.
import { SMTPServer } from "smtp-server";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const [folder, user, password, limitSeconds = "300"] = process.argv.slice(2);
mkdirSync(folder, { recursive: true });
let count = 0;
const server = new SMTPServer({
  authOptional: false,
  allowInsecureAuth: true,
  disabledCommands: ["STARTTLS"],
  onAuth(auth, _session, callback) {
    if (auth.username === user && auth.password === password) {
      callback(null, { user });
    } else {
      callback(new Error("Invalid username or password"));
    }
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => {
      count += 1;
      const to = session.envelope.rcptTo.map((r) => r.address).join(",");
      writeFileSync(join(folder, `${String(count).padStart(4, "0")}.eml`), Buffer.concat(chunks));
      console.log(`received ${count} ${session.envelope.mailFrom.address} ${to}`);
      callback();
    });
  },
});
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.server.address().port}`));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
setTimeout(() => process.exit(0), Number(limitSeconds) * 1000).unref();
