// Runs LiveKit's official server SDK for the compatibility tests (LiveKitCompatibilityTests.cs).
// Usage: node sdk.mjs <command> <apiKey> <apiSecret> [args...]; prints JSON or a token; exits 1 when the SDK refuses.
import {
  AccessToken, TokenVerifier, WebhookReceiver, RoomServiceClient, EgressClient, IngressClient, IngressInput,
  EncodedFileOutput, EncodedFileType, EgressStatus, SegmentedFileOutput, SegmentedFileProtocol, AzureBlobUpload,
} from "livekit-server-sdk";
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
    case "calls": {
      // The server calls the platform makes, made by the SDK against args[0] (the tests' LiveKit
      // stand-in, which records them); prints what the SDK read from each answer.
      const url = args[0];
      const rooms = new RoomServiceClient(url, key, secret);
      const egress = new EgressClient(url, key, secret);
      const ingress = new IngressClient(url, key, secret);
      const azure = () => new AzureBlobUpload({ accountName: "acct", accountKey: "a2V5", containerName: "events" });
      const out = [];
      const room = await rooms.createRoom({ name: "session-final", emptyTimeout: 86400, departureTimeout: 20 });
      out.push({ sid: room.sid, name: room.name, numParticipants: room.numParticipants, numPublishers: room.numPublishers });
      const listed = await rooms.listRooms(["session-final"]);
      out.push(listed.map((r) => r.name));
      const obs = await ingress.createIngress(IngressInput.RTMP_INPUT, { name: "OBS final", roomName: "session-final", participantIdentity: "obs", participantName: "OBS" });
      out.push({ ingressId: obs.ingressId, url: obs.url, streamKey: obs.streamKey });
      const started = await egress.startRoomCompositeEgress("session-final", {
        file: new EncodedFileOutput({ fileType: EncodedFileType.MP4, filepath: "live/final/b1/recording.mp4", output: { case: "azure", value: azure() } }),
        segments: new SegmentedFileOutput({ protocol: SegmentedFileProtocol.HLS_PROTOCOL, filenamePrefix: "live/final/b1/seg", playlistName: "index.m3u8", segmentDuration: 2, output: { case: "azure", value: azure() } }),
      }, { layout: "speaker" });
      out.push({ egressId: started.egressId, roomName: started.roomName, status: EgressStatus[started.status] });
      const stopped = await egress.stopEgress(started.egressId);
      out.push({ egressId: stopped.egressId, status: EgressStatus[stopped.status] });
      const items = await egress.listEgress({ roomName: "session-final" });
      out.push(items.map((e) => ({ egressId: e.egressId, status: EgressStatus[e.status] })));
      await rooms.deleteRoom("session-final");
      out.push((await rooms.listRooms(["session-final"])).length);
      console.log(JSON.stringify(out, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
      break;
    }
    default:
      throw new Error("unknown command " + command);
  }
} catch (e) {
  console.error(String(e?.message ?? e));
  process.exit(1);
}
