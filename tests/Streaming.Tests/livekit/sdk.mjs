// Runs LiveKit's official server SDK for the compatibility tests (LiveKitCompatibilityTests.cs).
// Usage: node sdk.mjs <command> <apiKey> <apiSecret> [args...]; prints JSON or a token; exits 1 when the SDK refuses.
import { AccessToken, TokenVerifier, WebhookReceiver } from "livekit-server-sdk";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";

const [command, key, secret, ...args] = process.argv.slice(2);
try {
  switch (command) {
    case "verify": {
      const claims = await new TokenVerifier(key, secret).verify(args[0]);
      console.log(JSON.stringify(claims));
      break;
    }
    case "mint": {
      const [identity, name, grantJson, ttlSeconds] = args;
      const at = new AccessToken(key, secret, { identity, name, ttl: Number(ttlSeconds) });
      at.addGrant(JSON.parse(grantJson));
      console.log(await at.toJwt());
      break;
    }
    case "webhook-receive": {
      const body = readFileSync(args[0], "utf8");
      const event = await new WebhookReceiver(key, secret).receive(body, args[1]);
      console.log(JSON.stringify(event));
      break;
    }
    case "webhook-sign": {
      const body = readFileSync(args[0]);
      const at = new AccessToken(key, secret, { ttl: Number(args[1] ?? 300) });
      at.sha256 = createHash("sha256").update(body).digest("base64");
      console.log(await at.toJwt());
      break;
    }
    default:
      throw new Error("unknown command " + command);
  }
} catch (e) {
  console.error(String(e?.message ?? e));
  process.exit(1);
}
