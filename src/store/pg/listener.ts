// One dedicated connection per instance that (1) LISTENs for other instances' commits, so the
// verification cache is dropped within milliseconds of a change anywhere, and (2) holds this
// instance's liveness lock, so other instances can tell its outbox claims from a dead one's.
// A heartbeat query notices a silently dead connection; while the connection is down the
// cache is not trusted (`onState(false)`), and on reconnect it starts empty, since
// notifications sent meanwhile are lost.
import pg from "pg";
import type { Log } from "../../log.ts";

export interface ListenerOptions {
  config: pg.ClientConfig;
  channel: string;
  /** This instance's key: its liveness lock, and the payload of its own notifications. */
  instanceKey: string;
  /** Another instance committed a change. */
  onNotify(): void;
  /** Whether notifications are arriving. */
  onState(live: boolean): void;
  log?: Log;
  heartbeatMs?: number;
}

export class PgListener {
  private client: pg.Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private lockHeld = false;
  private beating = false;

  constructor(private readonly o: ListenerOptions) {}

  /** Connects and listens; rejects if the first connection fails. */
  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    clearInterval(this.heartbeat);
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.o.config);
    client.on("error", (e) => this.lost(client, e));
    client.on("end", () => this.lost(client));
    client.on("notification", (n) => {
      if (
        this.client === client &&
        n.channel === this.o.channel &&
        n.payload !== this.o.instanceKey
      )
        this.o.onNotify();
    });
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(this.o.channel)}`);
    } catch (e) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      throw e;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.lockHeld = false;
    await this.beat(client);
    if (this.client !== client) throw new Error("the connection was lost as it started");
    this.failures = 0;
    this.o.onState(true);
    const every = this.o.heartbeatMs ?? 1000;
    this.heartbeat = setInterval(() => void this.beat(client), every);
    this.heartbeat.unref();
  }

  /**
   * Proves the connection answers within two beats, and takes the liveness lock if not yet
   * held: after a reconnect the server may still keep the old session (and the lock) until
   * it notices that session is gone.
   */
  private async beat(client: pg.Client): Promise<void> {
    if (this.beating || client !== this.client) return;
    this.beating = true;
    const every = this.o.heartbeatMs ?? 1000;
    const timeout = setTimeout(
      () => this.lost(client, new Error("heartbeat timed out")),
      2 * every,
    );
    try {
      if (this.lockHeld) await client.query("select 1");
      else {
        const r = await client.query<{ held: boolean }>(
          "select pg_try_advisory_lock($1::bigint) as held",
          [this.o.instanceKey],
        );
        this.lockHeld = r.rows[0]?.held === true;
      }
    } catch (e) {
      this.lost(client, e as Error);
    } finally {
      clearTimeout(timeout);
      this.beating = false;
    }
  }

  private lost(client: pg.Client, e?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.o.onState(false);
    client.end().catch(() => {});
    if (this.stopped) return;
    this.o.log?.warn({ err: e?.message ?? "connection ended" }, "PostgreSQL listener lost");
    this.reconnect();
  }

  private reconnect(): void {
    if (this.retry || this.stopped) return;
    const wait = Math.min(5000, 100 * 2 ** this.failures++);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().then(
        () => this.o.log?.info("PostgreSQL listener reconnected"),
        () => this.reconnect(),
      );
    }, wait);
    this.retry.unref();
  }
}
