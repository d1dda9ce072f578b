/**
 * The local engine: the same handlers as the cloud, hosted on one machine. It starts (or joins) a dynoxide store,
 * creates the table from the wiring, serves the HTTP API and the WebSocket API, runs the queues with SQS semantics
 * and their consumers, and fires timers kept in the store. `npm start` and the end-to-end tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import type { TimerEvent } from '../../shared/ports/timers';
import { consumerOf, functions, httpRoutes, queues as queueSpecs, wsRoutes, type FunctionName, type FunctionSpec, type QueueName } from '../wiring';
import { startDynoxide, type RunningStore } from './dynoxide';
import { removeEngineInfo, writeEngineInfo, type EngineInfo } from './engine-info';
import { consoleServer } from './console-server';
import { httpGateway } from './http-gateway';
import { FunctionWorker } from './function-workers';
import { QueueJournal } from './journal';
import { LocalQueue, QueueConsumer } from './queues';
import { sqsRequestHandler } from './sqs-endpoint';
import { ensureTable } from './table';
import { WebSocketGateway, API_GATEWAY_LIMITS, type WsLimits } from './ws-gateway';

export const ROOT = resolve(__dirname, '..', '..');

/**
 * `require`, not `import()`: the engine must load the functions only after it has set their environment, and a
 * synchronous CommonJS require works the same under tsx (npm start) and under jest.
 */
/** How many due timers the local poller fires at once. */
const TIMER_CONCURRENCY = 4;

function requireModule<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.startsWith('.') ? resolve(__dirname, path) : path) as T;
}

export interface EngineOptions {
  host?: string;
  /** 0 picks a free port. */
  httpPort?: number;
  wsPort?: number;
  /** The public base URL providers call (receive URLs are built on it); defaults to the HTTP address. */
  baseUrl?: string;
  /** Where the store and the local secrets persist; ignored with `inMemory`. */
  dataDir?: string;
  inMemory?: boolean;
  /** Join an already running DynamoDB-compatible store instead of starting dynoxide. */
  ddbEndpoint?: string;
  tableName?: string;
  /** Overrides every queue's visibility timeout (tests use a short one so retries come quickly). */
  visibilityTimeoutSeconds?: number;
  consumerConcurrency?: number;
  /**
   * Runs the queue consumers in a worker thread, on the other core, as Lambda runs them apart from the API (npm start
   * and the benchmark do). Off by default so tests can reach into the consumers (fault injection, the clock).
   */
  consumerThreads?: boolean | number;
  /**
   * How much lower the store process and the consumer threads run than the HTTP thread (a nice increment, 0-19;
   * default 10, or `SWITCHBOARD_BACKGROUND_NICE`): on a busy machine a provider's webhook is answered first, and the
   * work it queued takes the CPU left over. Linux only; elsewhere it changes nothing.
   */
  backgroundNice?: number;
  timerPollMs?: number;
  /** How long a fired timer stays claimed before it fires again when its handler never finished; default the timers function's timeout. */
  timerLeaseMs?: number;
  /** On stop: how long in-flight requests and consumer batches may take to finish (default 10 s). */
  gracePeriodMs?: number;
  /** How often functions with `everyMinutes` run (ms); default their wiring's minutes. 0 turns them off. */
  scheduleEveryMs?: number;
  wsLimits?: Partial<WsLimits>;
  /** Extra environment for the functions (PROVIDER_BASE_URL_*, LOG_LEVEL, ...). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface Engine {
  httpUrl: string;
  wsUrl: string;
  baseUrl: string;
  storeEndpoint: string;
  /** The embedded store's process (dynoxide), when this engine started one: its memory is its own, not the engine's. */
  storePid?: number;
  tableName: string;
  queues: Record<QueueName, LocalQueue>;
  deadLetters: Record<QueueName, LocalQueue>;
  ws: WebSocketGateway;
  invoke(fn: FunctionName, event: unknown): Promise<unknown>;
  /** First-run work: creates the first admin when there is none. */
  bootstrap(adminPassword?: string): Promise<void>;
  /** Resolves once every queue is empty and no consumer is working (timers not yet due are not waited for). */
  idle(timeoutMs?: number): Promise<void>;
  /** What the start recovered from the data directory (queued messages by queue, timers, claims released). */
  recovered: { messages: Record<string, number>; timers: number; releasedClaims: number; connections: number };
  /**
   * A graceful stop: new HTTP requests and WebSocket upgrades get 503 with Retry-After, in-flight requests and consumer
   * batches get the grace period to finish, then the store stops. What did not finish stays in the durable queues.
   */
  stop(): Promise<void>;
}

function localSecrets(options: EngineOptions): { tokenSecret: string; dataKey: string } {
  const generate = () => ({ tokenSecret: randomBytes(32).toString('base64url'), dataKey: randomBytes(32).toString('base64') });
  const fromEnv = { tokenSecret: process.env.TOKEN_SECRET, dataKey: process.env.LOCAL_DATA_KEY };
  let secrets = generate();
  if (!options.inMemory && options.dataDir) {
    const file = join(options.dataDir, 'secrets.json');
    if (existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8')) as typeof secrets;
    else {
      writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
  }
  return { tokenSecret: fromEnv.tokenSecret ?? secrets.tokenSecret, dataKey: fromEnv.dataKey ?? secrets.dataKey };
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolveListen();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}

function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function lambdaContext(name: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomBytes(16).toString('hex'),
    logGroupName: `/local/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const host = options.host ?? '127.0.0.1';
  const write = options.log ?? (() => undefined);
  const dataDir = options.dataDir ? resolve(options.dataDir) : resolve(ROOT, '.switchboard');
  if (!options.inMemory) mkdirSync(dataDir, { recursive: true });
  const secrets = localSecrets({ ...options, dataDir });
  const tableName = options.tableName ?? 'switchboard';

  const backgroundNice = options.backgroundNice ?? Number(process.env.SWITCHBOARD_BACKGROUND_NICE ?? 10);
  let store: RunningStore | undefined;
  const storeEndpoint =
    options.ddbEndpoint ??
    (store = await startDynoxide({ ...(options.inMemory ? {} : { dbPath: join(dataDir, 'store.db') }), nice: backgroundNice })).endpoint;
  await ensureTable(storeEndpoint, tableName);

  const httpServer = createServer();
  const wsServer = createServer();
  const sqsServer = createServer();
  const httpPort = await listen(httpServer, options.httpPort ?? 3000, host);
  const wsPort = await listen(wsServer, options.wsPort ?? 3001, host);
  const sqsPort = await listen(sqsServer, 0, host);
  const httpUrl = `http://${host}:${httpPort}`;
  const wsUrl = `ws://${host}:${wsPort}`;
  const baseUrl = (options.baseUrl ?? httpUrl).replace(/\/$/, '');
  const sqsUrl = `http://${host}:${sqsPort}`;
  const queueName = (name: QueueName) => `${tableName}-${name}${queueSpecs[name].fifo ? '.fifo' : ''}`;
  const queueUrl = (name: QueueName) => `${sqsUrl}/000000000000/${queueName(name)}`;

  // Exports and transcripts too large for an answer: under the data dir, or a temporary directory kept for this run.
  const blobDir = options.inMemory ? mkdtempSync(join(tmpdir(), 'switchboard-blobs-')) : join(dataDir, 'blobs');
  mkdirSync(blobDir, { recursive: true });

  // The functions read their settings from the environment through shared/config, as in Lambda.
  Object.assign(process.env, {
    STAGE: 'local',
    TABLE_NAME: tableName,
    DDB_ENDPOINT: storeEndpoint,
    SQS_ENDPOINT: sqsUrl,
    INBOUND_QUEUE_URL: queueUrl('inbound'),
    OUTBOUND_QUEUE_URL: queueUrl('outbound'),
    TIMERS_QUEUE_URL: queueUrl('timers'),
    EXPORTS_QUEUE_URL: queueUrl('exports'),
    BLOB_ADAPTER: 'local',
    BLOB_DIR: blobDir,
    OUTBOUND_DLQ_URL: `${queueUrl('outbound')}-dlq`,
    WS_CALLBACK_URL: `http://${host}:${wsPort}`,
    TIMERS_ADAPTER: 'store',
    TOKEN_SECRET: secrets.tokenSecret,
    LOCAL_DATA_KEY: secrets.dataKey,
    PUBLIC_BASE_URL: baseUrl,
    ...options.env,
  });
  // Loaded only now, after the environment is set: these modules create clients from the configuration.
  requireModule<typeof import('../../shared/config')>('../../shared/config').reloadConfig();
  requireModule<typeof import('../../shared/store/client')>('../../shared/store/client').refreshStoreClients();

  const loaded = new Map<FunctionName, Promise<(event: unknown, context: Context) => Promise<unknown>>>();
  const load = (fn: FunctionName) => {
    let p = loaded.get(fn);
    if (!p) {
      p = Promise.resolve(requireModule<{ handler: (e: unknown, c: Context) => Promise<unknown> }>(join(ROOT, functions[fn].entry)).handler);
      loaded.set(fn, p);
    }
    return p;
  };
  const invoke = async (fn: FunctionName, event: unknown) => (await load(fn))(event, lambdaContext(fn, functions[fn].timeoutSeconds));
  const handlerFor = (fn: FunctionName) => async () => (event: unknown) => invoke(fn, event) as never;

  // Queues and their consumers, in a worker thread when asked (it starts after the environment is set: it copies it).
  // Like Lambda containers, each worker has its own module state; a batch goes to the least busy one.
  const threadCount = options.consumerThreads === true ? 1 : typeof options.consumerThreads === 'number' ? options.consumerThreads : 0;
  const workers = Array.from({ length: threadCount }, () => new FunctionWorker(backgroundNice));
  const worker = workers[0];
  const consume = (fn: FunctionName) => (event: unknown) => {
    if (!worker) return invoke(fn, event);
    const idlest = workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    return idlest.invoke(functions[fn].entry, event, { functionName: fn, awsRequestId: randomBytes(16).toString('hex') });
  };

  // The queues live in the data directory (see journal.ts) unless the engine keeps nothing.
  const journal = options.inMemory ? undefined : QueueJournal.open(join(dataDir, 'queues'));
  const queues = {} as Record<QueueName, LocalQueue>;
  const deadLetters = {} as Record<QueueName, LocalQueue>;
  const byName = new Map<string, LocalQueue>();
  const consumers: QueueConsumer[] = [];
  for (const name of Object.keys(queueSpecs) as QueueName[]) {
    const spec = queueSpecs[name];
    const visibilityTimeoutMs = (options.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds) * 1000;
    const dlq = new LocalQueue(`${queueName(name)}-dlq`, { ...spec, visibilityTimeoutMs }, undefined, Date.now, journal);
    const queue = new LocalQueue(queueName(name), { ...spec, visibilityTimeoutMs }, dlq, Date.now, journal);
    queues[name] = queue;
    deadLetters[name] = dlq;
    byName.set(queueName(name), queue);
    byName.set(`${queueName(name)}-dlq`, dlq);
    const consumer = consumerOf(name);
    if (consumer) {
      consumers.push(
        new QueueConsumer(queue, consume(consumer) as never, {
          concurrency: options.consumerConcurrency ?? 4,
          arn: `arn:aws:sqs:local:000000000000:${queueName(name)}`,
          region: 'local',
          onError: (error) => write(`[queue ${name}] ${consumer} failed: ${(error as Error).message}`),
        }),
      );
    }
  }

  await journal?.start();
  const recoveredMessages = Object.fromEntries([...byName].map(([n, q]) => [n, q.depth]).filter(([, d]) => d)) as Record<string, number>;

  const ws = new WebSocketGateway(
    {
      connect: handlerFor(wsRoutes.find((r) => r.route === '$connect')!.fn),
      disconnect: handlerFor(wsRoutes.find((r) => r.route === '$disconnect')!.fn),
      message: handlerFor(wsRoutes.find((r) => r.route === '$default')!.fn),
    },
    { ...API_GATEWAY_LIMITS, ...options.wsLimits },
  );
  const gateway = httpGateway(httpRoutes, (route) => handlerFor(route.fn)());
  const sqs = sqsRequestHandler(byName);

  // The public HTTP and WebSocket APIs open once the start is done and close (503) when a stop begins; the SQS
  // endpoint stays open to the end, since consumer batches finishing within the grace period still send.
  let accepting = false;
  let inFlightRequests = 0;
  const unavailable = (res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5', connection: 'close' });
    res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'the engine is starting or stopping; try again later', details: [] } }));
  };
  const guard =
    (fn: (req: IncomingMessage, res: ServerResponse, body: Buffer, receivedAt: number) => unknown, gated: boolean) =>
    (req: IncomingMessage, res: ServerResponse) => {
      const receivedAt = Date.now();
      if (gated && !accepting) {
        req.resume();
        return unavailable(res);
      }
      inFlightRequests += 1;
      res.once('close', () => (inFlightRequests -= 1));
      readBody(req)
        .then((body) => fn(req, res, body, receivedAt))
        .catch((error: Error) => {
          write(`[http] ${req.method} ${req.url}: ${error.stack ?? error.message}`);
          if (!res.headersSent) res.writeHead(error.message === 'body too large' ? 413 : 500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: error.message === 'body too large' ? 'Request Entity Too Large' : 'Internal Server Error' }));
        });
    };
  const console_ = consoleServer(wsUrl);
  const api = guard(gateway, true);
  // The console's static files are served straight from memory, beside (not through) the API's gate.
  httpServer.on('request', (req, res) => console_(req, res) || api(req, res));
  sqsServer.on('request', guard(sqs, false));
  wsServer.on(
    'request',
    guard((req, res, body) => {
      if (!ws.handleManagement(req, res, body)) {
        res.writeHead(426, { 'content-type': 'text/plain' });
        res.end('Upgrade Required');
      }
    }, false),
  );
  wsServer.on('upgrade', (req, socket, head) => {
    if (!accepting) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    void ws.handleUpgrade(req, socket, head);
  });

  // With the consumers in their own thread, this thread's sends (the webhook's, mostly) go straight to the queues it
  // hosts instead of through the SDK and back over loopback; the consumer thread keeps the SQS protocol. Inline
  // consumers (the tests) keep the wire everywhere, so the production adapter is what they exercise.
  const queuePort = requireModule<typeof import('../../shared/ports/queue')>('../../shared/ports/queue');
  if (worker) {
    queuePort.setQueueSink(async (target, messages) => {
      const queue = target === 'outbound-dlq' ? deadLetters.outbound : queues[target];
      for (const m of messages) {
        queue.send({
          body: m.body,
          ...(m.groupId ? { groupId: m.groupId } : {}),
          ...(m.deduplicationId ? { deduplicationId: m.deduplicationId } : {}),
          ...(m.delaySeconds !== undefined ? { delaySeconds: m.delaySeconds } : {}),
        });
      }
      // Durable before the caller acknowledges anything (the webhook's 200, a reply's 202).
      await queue.flushed();
    });
  }

  // No WebSocket connection survives a process: forget those of the previous run and set their agents offline,
  // so nothing is offered to an agent nobody is watching.
  const { resetPresenceAtStart } = requireModule<typeof import('../../shared/realtime/presence')>('../../shared/realtime/presence');
  const connectionsReset = await resetPresenceAtStart();

  consumers.forEach((c) => c.start());

  // Timers kept in the store: poll what is due, claim it with a lease, fire it through the timers function, and
  // delete it only once the handler succeeded. A claim whose lease ran out (the engine died) is fired again.
  const timersStore = requireModule<typeof import('../../shared/ports/timers-store')>('../../shared/ports/timers-store');
  const { now } = requireModule<typeof import('../../shared/ports/clock')>('../../shared/ports/clock');
  const instance = randomBytes(8).toString('hex');
  const timerTarget = (Object.keys(functions) as FunctionName[]).find((f) => 'schedulerTarget' in functions[f]);
  const leaseMs = options.timerLeaseMs ?? (timerTarget ? functions[timerTarget].timeoutSeconds * 1000 : 30_000);
  // An external store may be shared with another running engine, whose claims are live: only our own store's are stale.
  const timersFound = options.ddbEndpoint ? { timers: 0, released: 0 } : await timersStore.recoverTimers(instance);
  let polling = true;
  let pollBusy: Promise<void> = Promise.resolve();
  const pollEvery = options.timerPollMs ?? 100;
  // Due timers fire a few at a time, each on its own: a poll only starts them, so a timer armed due now (serving a
  // waiting line) never waits behind a long one (a board push). Handlers re-check versions, so order never mattered.
  const firing = new Map<string, Promise<void>>();
  const fire = async (timer: TimerEvent) => {
    if (!polling || !timerTarget) return;
    const claim = await timersStore.claimTimer(timer, leaseMs, now(), instance);
    if (!claim) return;
    try {
      await invoke(timerTarget, timer);
    } catch (error) {
      write(`[timers] ${timer.name} failed, retrying in 2 s: ${(error as Error).message}`);
      await timersStore.retryTimerAt(timer.name, claim, now() + 2000);
      return;
    }
    await timersStore.completeTimer(timer.name, claim);
  };
  const poll = async () => {
    if (!timerTarget || firing.size >= TIMER_CONCURRENCY) return;
    for (const timer of await timersStore.dueTimers(now())) {
      if (!polling || firing.size >= TIMER_CONCURRENCY) return;
      if (firing.has(timer.name)) continue;
      const run = fire(timer)
        .catch((error: Error) => write(`[timers] ${timer.name}: ${error.message}`))
        .finally(() => {
          firing.delete(timer.name);
          kick();
        });
      firing.set(timer.name, run);
    }
  };
  // One poll at a time; a tick or a nudge during a poll asks for one more right after it, never a queue of them.
  let pollRunning = false;
  let pollAgain = false;
  const kick = (): void => {
    if (!polling) return;
    if (pollRunning) {
      pollAgain = true;
      return;
    }
    pollRunning = true;
    pollBusy = (async () => {
      try {
        do {
          pollAgain = false;
          await poll().catch((error: Error) => write(`[timers] poll failed: ${error.message}`));
        } while (pollAgain && polling);
      } finally {
        pollRunning = false;
      }
    })();
  };
  const pollTimer = setInterval(kick, pollEvery);
  // A timer armed due now (serving a waiting line, a board push) runs at once rather than at the next tick.
  timersStore.onTimerDueNow(kick);

  // Functions that run on their own every so many minutes (an EventBridge rule in the cloud).
  const scheduled = (Object.keys(functions) as FunctionName[]).flatMap((fn) => {
    const minutes = (functions[fn] as FunctionSpec).everyMinutes;
    const every = options.scheduleEveryMs ?? (minutes ? minutes * 60_000 : 0);
    if (!minutes || every <= 0) return [];
    let running = false;
    const handle = setInterval(() => {
      if (running || !polling) return;
      running = true;
      invoke(fn, { source: 'local.schedule' })
        .catch((error: Error) => write(`[schedule] ${fn} failed: ${error.message}`))
        .finally(() => (running = false));
    }, every);
    handle.unref();
    return [handle];
  });

  write(`Switchboard local engine ready
  HTTP API      ${httpUrl}   (health: ${httpUrl}/health)
  WebSocket API ${wsUrl}
  receive URLs  ${baseUrl}/webhooks/{accountId}/{token}
  store         ${storeEndpoint} (${options.ddbEndpoint ? 'external' : options.inMemory ? 'in memory' : join(dataDir, 'store.db')}), table ${tableName}
  queues        ${journal ? `${journal.file} (durable: written and flushed before a send is acknowledged)` : 'in memory only: a stop or a crash loses what they hold'}`);
  const recoveredCount = Object.values(recoveredMessages).reduce((a, b) => a + b, 0);
  write(
    `recovered ${recoveredCount} queued message(s)${recoveredCount ? ` (${Object.entries(recoveredMessages).map(([n, d]) => `${n} ${d}`).join(', ')})` : ''}` +
      `, ${timersFound.timers} timer(s)${timersFound.released ? ` (${timersFound.released} claimed by the previous run, due again)` : ''}` +
      `, ${connectionsReset} stale WebSocket connection(s) removed`,
  );
  accepting = true;

  // Where local tools (npm run simulate) find this engine; removed again on stop.
  const info: EngineInfo = { httpUrl, wsUrl, baseUrl, storeEndpoint, tableName, pid: process.pid };
  if (!writeEngineInfo(dataDir, info)) write(`[engine] ${join(dataDir, 'engine.json')} belongs to another running engine; left as it is`);

  let stopped: Promise<void> | undefined;
  return {
    httpUrl,
    wsUrl,
    baseUrl,
    storeEndpoint,
    ...(store ? { storePid: store.pid } : {}),
    tableName,
    queues,
    deadLetters,
    ws,
    invoke,
    recovered: { messages: recoveredMessages, timers: timersFound.timers, releasedClaims: timersFound.released, connections: connectionsReset },
    bootstrap: (adminPassword) =>
      requireModule<typeof import('./bootstrap')>('./bootstrap').bootstrapLocal(write, adminPassword ?? process.env.SWITCHBOARD_ADMIN_PASSWORD),
    async idle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const busy = Object.values(queues).some((q) => q.depth > 0) || consumers.some((c) => c.busy);
        if (!busy) return;
        if (Date.now() > deadline) throw new Error('the engine did not go idle in time');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop() {
      stopped ??= (async () => {
        const deadline = Date.now() + (options.gracePeriodMs ?? 10_000);
        const until = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
        accepting = false;
        removeEngineInfo(dataDir, info);
        polling = false;
        clearInterval(pollTimer);
        timersStore.onTimerDueNow(undefined);
        scheduled.forEach((h) => clearInterval(h));
        // In-flight requests first (a webhook finishing its enqueue), then the consumers' batches, all within the grace.
        await until(
          (async () => {
            while (inFlightRequests > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          })(),
        );
        await until(Promise.all([pollBusy, ...firing.values()]));
        const finished = await Promise.all(consumers.map((c) => c.stop(deadline)));
        if (finished.includes(false)) write('[engine] the grace period ended with consumer batches running: their messages come back after the next start');
        await Promise.all(workers.map((w) => w.stop()));
        if (worker) queuePort.setQueueSink(undefined);
        await journal?.close();
        await ws.close();
        if (options.inMemory) rmSync(blobDir, { recursive: true, force: true });
        await Promise.all(
          [httpServer, wsServer, sqsServer].map(
            (s) =>
              new Promise<void>((r) => {
                s.close(() => r());
                s.closeAllConnections();
              }),
          ),
        );
        await store?.stop();
      })();
      return stopped;
    },
  };
}
