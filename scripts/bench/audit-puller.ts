// A SIEM pulling the whole audit log from GET /v1/audit as fast as it can, round after round,
// in its own process. Tells its parent how many events it read when asked to stop.
const url = process.env.AUDIT_URL as string;
const token = process.env.AUDIT_API_TOKEN as string;
let events = 0;
let stopping = false;

process.on("message", (m) => {
  if (m === "stop") stopping = true;
});

async function pull(): Promise<void> {
  let after = 0;
  for (;;) {
    const res = await fetch(`${url}/v1/audit?after=${after}&limit=10000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`audit API answered ${res.status}`);
    const text = await res.text();
    const lines = text.split("\n").filter(Boolean);
    events += lines.length;
    const next = Number(res.headers.get("x-next-after"));
    if (lines.length === 0 || next === after) return;
    after = next;
    if (stopping) return;
  }
}

while (!stopping) await pull();
process.send?.({ events }, () => process.exit(0));
