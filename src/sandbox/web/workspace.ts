// A person's picture of the workspace: one event stream for the page's life (no change slips by
// while switching person) and one snapshot request at a time (an older answer never wins).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Snapshot } from "./api.ts";

const RETRY_MS = 500;

export function useWorkspace(me: string): Snapshot | null {
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const wanted = useRef(me);
  const refresh = useRef<() => void>(() => {});

  useEffect(() => {
    let alive = true;
    let loading = false;
    let again = false;
    let have = { me: "", version: -1 };
    let retry: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      loading = true;
      while (again && alive) {
        again = false;
        const who = wanted.current;
        try {
          const s = await api.state(who);
          if (!alive) break;
          // Asked for someone else meanwhile: ask again for the person now wanted.
          if (s.me !== wanted.current) again = true;
          else {
            have = { me: s.me, version: s.version };
            setSnap(s);
          }
        } catch {
          // The sandbox is restarting or busy: try again in a moment.
          if (alive) retry = setTimeout(request, RETRY_MS);
        }
      }
      loading = false;
    };
    const request = () => {
      again = true;
      if (!loading) void run();
    };
    refresh.current = request;
    const events = new EventSource("/sandbox/api/events");
    // On every (re)connection: changes made while the stream was not listening are fetched.
    events.onopen = request;
    events.onmessage = (e: MessageEvent<string>) => {
      let version = Number.POSITIVE_INFINITY;
      try {
        version = Number((JSON.parse(e.data) as { version?: number }).version ?? version);
      } catch {
        // Not ours to read: refresh anyway.
      }
      if (have.me === wanted.current && have.version >= version) return;
      request();
    };
    request();
    return () => {
      alive = false;
      clearTimeout(retry);
      events.close();
    };
  }, []);

  useEffect(() => {
    wanted.current = me;
    refresh.current();
  }, [me]);

  return snap;
}
