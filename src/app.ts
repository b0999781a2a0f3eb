// The composition root: store, domain context, HTTP listener, and whatever else the mode needs.
import type { Server } from "node:http";
import type { Config } from "./config.ts";
import { type Clock, systemClock } from "./domain/clock.ts";
import type { Ctx } from "./domain/context.ts";
import { bootstrapOwners } from "./domain/roles/bootstrap.ts";
import { close, createHttpServer, listen, type Routes } from "./http/server.ts";
import { verifyHandler } from "./http/verify.ts";
import { createLog, type Log } from "./log.ts";
import { openStore, type Store } from "./store/index.ts";
import { LastUsedRecorder } from "./store/last-used.ts";

export interface KeywardOptions {
  config: Config;
  clock?: Clock;
  log?: Log;
}

export interface Keyward {
  port: number;
  url: string;
  store: Store;
  ctx: Ctx;
  log: Log;
  server: Server;
  stop(): Promise<void>;
}

export async function startKeyward(opts: KeywardOptions): Promise<Keyward> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLog(config.LOG_LEVEL);
  const store = openStore(config.DATABASE_PATH);
  const ctx: Ctx = { uow: store.uow, clock };
  const bootstrapped = await bootstrapOwners(ctx, config.OWNER_USER_IDS);
  if (bootstrapped.length) log.info({ owners: bootstrapped }, "first account owners added");

  const lastUsed = new LastUsedRecorder(store.uow, 1000, (err) =>
    log.error({ err: String(err) }, "could not record last use"),
  );
  const routes: Routes = {
    verify: verifyHandler({
      token: config.VERIFY_API_TOKEN,
      lookup: store.verify,
      clock,
      onUse: (id, at) => lastUsed.record(id, at),
    }),
  };
  const server = createHttpServer(routes, log);
  const port = await listen(server, config.PORT, config.HOST);
  const host = config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST;

  let stopped = false;
  return {
    port,
    url: `http://${host}:${port}`,
    store,
    ctx,
    log,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await close(server);
      await lastUsed.stop();
      store.close();
    },
  };
}
