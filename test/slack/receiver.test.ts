// Keyward's receiver in front of Bolt: a signature the replay memory has seen is refused with
// 401, and when the replay memory cannot answer (the shared one on PostgreSQL, past its wait)
// the request is refused with 503 — fail closed — and never reaches Bolt.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { createLog } from "../../src/log.ts";
import { sign } from "../../src/sandbox/standin/signing.ts";
import { KeywardReceiver, type ReplayGuard } from "../../src/slack/receiver.ts";

const SECRET = "test-signing-secret-0123456789";
let server: Server | undefined;
afterEach(() => server?.close());

async function post(guard: ReplayGuard): Promise<{ status: number; processed: number }> {
  const receiver = new KeywardReceiver(SECRET, guard, createLog("silent"));
  let processed = 0;
  receiver.init({
    processEvent: async (e: { ack: () => Promise<void> }) => {
      processed++;
      await e.ack();
    },
  } as unknown as Parameters<KeywardReceiver["init"]>[0]);
  server = createServer((req, res) => void receiver.handle(req, res));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const body = "command=%2Fapikeys&text=help&user_id=U0OWNER1";
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": sign(SECRET, ts, body),
    },
    body,
  });
  return { status: res.status, processed };
}

it("refuses with 503, without handling, when the replay memory cannot answer", async () => {
  const r = await post({
    claim: async () => {
      throw new Error("no answer from the database in 2000 ms");
    },
  });
  expect(r).toEqual({ status: 503, processed: 0 });
});

it("refuses with 401 a signature already seen, and hands a new one to Bolt", async () => {
  expect(await post({ claim: async () => false })).toEqual({ status: 401, processed: 0 });
  server?.close();
  const fresh = await post({ claim: async () => true });
  expect(fresh.processed).toBe(1);
});
