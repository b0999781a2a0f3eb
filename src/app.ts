// The composition root: store, domain context, HTTP listener, Slack, workers, for the mode
// the configuration asks for.
import type { Server } from "node:http";
import { type Config, modeOf } from "./config.ts";
import { type Clock, systemClock } from "./domain/clock.ts";
import type { Ctx } from "./domain/context.ts";
import { sendWeeklyDigest } from "./domain/oncall/digest.ts";
import { bootstrapOwners } from "./domain/roles/bootstrap.ts";
import { startCountingUsage } from "./domain/usage/counting.ts";
import { auditHandler } from "./http/audit.ts";
import { readyHandler } from "./http/ready.ts";
import { createHttpServer, drain, listen, type Routes } from "./http/server.ts";
import { verifyHandler } from "./http/verify.ts";
import type { InFlight } from "./in-flight.ts";
import { type KeyScanProcess, keyScanProcess } from "./jobs/key-scan-process.ts";
import { DEFAULT_JOBS, JobScheduler } from "./jobs/scheduler.ts";
import { createLog, type Log } from "./log.ts";
import { createRenderer } from "./notify/render.ts";
import { OutboxWorker } from "./notify/worker.ts";
import { createSlackApp, type SlackApp } from "./slack/app.ts";
import { OncallGroup } from "./slack/oncall-group.ts";
import { connectStore, type Store } from "./store/index.ts";
import { LastUsedRecorder } from "./store/last-used.ts";
import { SharedSignatureMemory, SignatureMemory } from "./store/signature-memory.ts";
import { pruneUsage } from "./store/usage-prune.ts";
import { UsageRecorder } from "./store/usage-recorder.ts";

export interface KeywardOptions {
  config: Config;
  clock?: Clock;
  log?: Log;
  /** Retries of Slack Web API calls made by listeners (tests: 0), and their timeout. */
  slackRetries?: number;
  slackTimeoutMs?: number;
  /** Outbox worker tuning (tests make it quick). */
  worker?: { pollMs?: number; backoffBaseMs?: number; uploadTimeoutMs?: number };
  /** How often time-based jobs run (grant and request expiry, reminders). */
  jobsIntervalMs?: number;
  /** Extra HTTP routes on the same listener (the sandbox's page). */
  routes?: Pick<Routes, "extra" | "prefixes">;
  /** How long stop() lets requests and Slack events in flight finish (default 10 s). */
  drainMs?: number;
}

export interface Keyward {
  port: number;
  url: string;
  store: Store;
  ctx: Ctx;
  log: Log;
  server: Server;
  /** The HTTP requests being answered (a shutdown waits for them). */
  requests: InFlight;
  slack: SlackApp | undefined;
  worker: OutboxWorker | undefined;
  /** Expiry, reminders, request lapses, usage pruning: every 30 s. */
  jobs: JobScheduler;
  /** The weekly digest, with Slack (it asks Slack which key owners have left). */
  digests: JobScheduler | undefined;
  /** Usage counts of the verification API, written behind. */
  usage: UsageRecorder;
  /** The digest's key-scan process; none on an in-memory database (it scans here). */
  keyScans: KeyScanProcess | undefined;
  stop(): Promise<void>;
}

export async function startKeyward(opts: KeywardOptions): Promise<Keyward> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLog(config.LOG_LEVEL);
  const store = await connectStore(config, log);
  const ctx: Ctx = {
    uow: store.uow,
    clock,
    approvals: {
      writeApprovals: config.WRITE_APPROVALS,
      escalateAfterHours: config.ESCALATE_AFTER_HOURS,
    },
    maxKeyLifetimeDays: config.MAX_KEY_LIFETIME_DAYS,
  };
  // The digest's pass over every key reads in its own process, on connections of its own; an
  // in-memory database has no second connection, so there it runs here.
  const database =
    store.backend === "postgres"
      ? { url: store.url }
      : store.path === ":memory:"
        ? undefined
        : { path: store.path };
  const keyScans = database
    ? keyScanProcess({ database, maxKeyLifetimeDays: config.MAX_KEY_LIFETIME_DAYS, log })
    : undefined;
  ctx.keyScanner = keyScans?.scan;
  const bootstrapped = await bootstrapOwners(ctx, config.OWNER_USER_IDS);
  if (bootstrapped.length) log.info({ owners: bootstrapped }, "first account owners added");

  const lastUsed = new LastUsedRecorder(store.uow, 1000, (err, { waiting }) =>
    log.warn({ err, waiting }, "could not record last use yet; kept to try again"),
  );
  await startCountingUsage(ctx);
  const usage = new UsageRecorder(store.uow, {
    onError: (err, { waiting }) =>
      log.warn({ err, waiting }, "could not record usage yet; kept to try again"),
  });
  usage.start();
  const routes: Routes = {
    verify: verifyHandler({
      token: config.VERIFY_API_TOKEN,
      lookup: store.verify,
      clock,
      log,
      onUse: (id, at, check, grant) => {
        lastUsed.record(id, at);
        usage.record(id, at, check, grant);
      },
    }),
    audit: auditHandler({ token: config.AUDIT_API_TOKEN, uow: store.uow }),
    ready: readyHandler({
      ping: () => store.ping(),
      oldestDueAt: (now) =>
        store.uow.run(async (tx) => tx.outboxQueue.oldestDueAt(now), { quiet: true }),
      slackConnected: () => slack?.connected(),
      now: () => clock.now().getTime(),
      outboxMaxSeconds: config.READYZ_OUTBOX_MAX_SECONDS ?? 120,
      outboxGates: config.READYZ_OUTBOX_MAX_SECONDS !== undefined,
      log,
    }),
    ...opts.routes,
  };

  // One process on SQLite: checked in memory, written behind. Several instances on PostgreSQL:
  // claimed in the database before handling, so a replay to another instance is refused.
  const signatures =
    store.backend === "postgres"
      ? new SharedSignatureMemory(store.uow)
      : new SignatureMemory(store.uow, {
          onError: (err, { waiting }) =>
            log.warn({ err, waiting }, "could not write seen signatures yet; kept to try again"),
        });
  await signatures.load();
  let slack: SlackApp | undefined;
  let oncallGroup: OncallGroup | undefined;
  let worker: OutboxWorker | undefined;
  const timers: NodeJS.Timeout[] = [];
  const mode = modeOf(config);
  if (config.SLACK_BOT_TOKEN) {
    slack = createSlackApp({
      ctx,
      log,
      botToken: config.SLACK_BOT_TOKEN,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: mode === "socket" ? config.SLACK_APP_TOKEN : undefined,
      apiUrl: config.SLACK_API_URL,
      retries: opts.slackRetries,
      timeoutMs: opts.slackTimeoutMs,
      replays: { claim: async (signature, at) => signatures.claim(signature, at) },
      kick: () => worker?.kick(),
    });
    if (slack.http) routes.slack = slack.http;
    if (config.ONCALL_USERGROUP_ID) {
      oncallGroup = new OncallGroup(slack.client, config.ONCALL_USERGROUP_ID, log);
      ctx.oncallGroup = oncallGroup;
    }
    worker = new OutboxWorker({
      ctx,
      uow: store.uow,
      client: slack.notifyClient,
      render: createRenderer(ctx),
      clock,
      log,
      pollMs: opts.worker?.pollMs,
      backoffBaseMs: opts.worker?.backoffBaseMs,
      uploadTimeoutMs: opts.worker?.uploadTimeoutMs,
    });
    timers.push(
      setInterval(() => {
        signatures.prune().catch((e) => log.warn({ err: e }, "could not prune seen signatures"));
      }, 30_000),
    );
  }

  const listener = createHttpServer(routes, log);
  const server = listener.server;
  const port = await listen(server, config.PORT, config.HOST);
  const host = config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST;
  try {
    await slack?.start();
  } catch (e) {
    await drain(listener, 0);
    await store.close();
    throw new Error(`Could not connect to Slack: ${(e as Error).message}`);
  }
  await oncallGroup?.start();
  await worker?.start();
  for (const t of timers) t.unref();
  const people = slack?.deps.people;
  const jobs = new JobScheduler(
    ctx,
    log,
    () => worker?.kick(),
    { ...DEFAULT_JOBS, pruneUsage: () => pruneUsage(store.uow, clock.now()) },
    opts.jobsIntervalMs,
    store.exclusive,
  );
  jobs.start();
  // The weekly digest on a timer of its own: its scan runs only on CPU nothing else wants and
  // can take minutes on a busy machine, which must not hold up grants that are due to end.
  const digests = people
    ? new JobScheduler(
        ctx,
        log,
        () => worker?.kick(),
        { weeklyDigest: (c: Ctx) => sendWeeklyDigest(c, people) },
        opts.jobsIntervalMs,
        store.exclusive,
      )
    : undefined;
  digests?.start();

  let stopped = false;
  return {
    port,
    url: `http://${host}:${port}`,
    store,
    ctx,
    log,
    server,
    requests: listener.requests,
    slack,
    worker,
    jobs,
    digests,
    usage,
    keyScans,
    /**
     * Stops accepting (HTTP connections, Socket Mode events), lets what is in flight finish
     * within the drain, stops the outbox worker after its current send, then closes.
     */
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      const deadline = Date.now() + (opts.drainMs ?? 10_000);
      const left = () => Math.max(0, deadline - Date.now());
      const http = drain(listener, opts.drainMs ?? 10_000);
      log.info(
        { requests: listener.requests.size, events: slack?.work.size ?? 0 },
        "shutting down: no new connections; finishing what is in flight",
      );
      await slack?.stop();
      const drained = (await http) && ((await slack?.work.idle(left())) ?? true);
      if (!drained) {
        log.warn(
          { requests: listener.requests.size, events: slack?.work.size ?? 0 },
          "shutdown drain ran out of time; cut off what was left",
        );
      }
      await keyScans?.stop();
      await digests?.stop();
      await jobs.stop();
      oncallGroup?.stop();
      await worker?.stop();
      await lastUsed.stop();
      await usage.stop();
      await signatures.stop();
      await store.close();
      log.info("stopped");
    },
  };
}
