/**
 * `npm run bench`: figures of the inbound and routing paths against in-process local engines (in-memory dynoxide
 * stores), each phase on an engine set up for it. It prints; it never fails a build: the exit code is 0 whatever
 * the figures, and even when the bench cannot run.
 *
 *   a. webhook acknowledgement latency at a fixed 200 requests/s for 10 s, open loop     target p99 <= 15 ms
 *   b. sustained intake for 30 s at the highest rate the machine takes (from 300/s),
 *      then sent = stored, none lost, none doubled                                       target >= 300 msg/s
 *   c. DynamoDB requests per inbound message into an existing interaction                target <= 6
 *      and per new interaction offered to a ring-all queue of 3 (by request kind)        target <= 10
 *      and per accept and close of it; the in-memory store's floor beside them
 *   d. webhook to agent WebSocket notification, calibrated: new interactions at 30% of
 *      what the floor allows for c's requests per offered, accepted and closed one (the
 *      agent who hears first accepts and closes, as a desk does, so capacity holds),
 *      offered to a 3-agent ring-all queue                                               target p99 <= 100 ms
 *      and follow-ups to the assigned agent at 30% of floor / c's requests per message   target p99 <= 50 ms
 *   q. queues: 1,000 waiting in 5 queues, 50 agents of capacity 1 offline; the board read
 *      by a supervisor (target p99 <= 20 ms), then each agent becomes available (online,
 *      then each time it closes its last offer) and the time to the longest-waiting
 *      interaction's offer on its socket, with the requests each costs                 target p99 <= 250 ms
 *   e. login p50/p99, each user's first attempt (no throttling delay), and what the
 *      throttle adds beside the scrypt KDF                                               target p99 <= 500 ms
 *   f. the DynamoDB floor: a plain SDK client's PutItem requests/s at concurrency 8 against the store of phase b's
 *      engine, in the same run (the median of three 2 s samples before b and three after it); phase b's intake is
 *      also given as a ratio to floor / 4 (the minimum requests per message)             target ratio >= 0.7
 *   r. restart recovery: an engine starts on a data directory whose durable inbound queue holds 10,000 messages;
 *      the time from the start to the first redelivery                                  target < 5 s
 *   g. routing time for the worst regex validation accepts, on the capped input          target p50 <= 100 ms
 *      and `^(a+)+$` on a 31-character SMS (bench/regex.ts)                             target p99 <= 10 ms
 *   z. every function's bundle and its load time in a fresh process against its floor (the SDK clients its wiring
 *      grants), with and without --enable-source-maps; --quick: two functions (bench/bundles.ts)    target <= 1.25x
 *
 *   e. (opt-in: --campaign, or --campaign-only; over 3 minutes) a 10,000-recipient WhatsApp campaign at 50
 *      messages/s to a fake Meta, after a 100-recipient warm-up campaign (the sender's first load is start-up, not
 *      growth): the rate over each full minute, none doubled, none missing, engine RSS growth
 *                                                                                        target ±5%, 0, 0, < 50 MB
 *
 * a, b and d run the engine as npm start does (queue consumers in a worker thread); a and b on a persisted store with
 * the durable queues, as npm start keeps them; c runs the consumers inline, because it counts requests on the one SDK
 * client it can reach.
 *
 * Options: --client worker|inline (where the load generator runs, see below), --quick (short phases, for a smoke
 * run), --only a,b,c,d,q,r,l,g,console (those phases alone), --offer-rate N (d's rate instead of the calibrated
 * one), --ack-rate N (phase a's rate, to find where the engine's latency bends), --campaign (add phase e),
 * --campaign-only (phase e alone), --campaign-recipients N (phase e's size, default 10000).
 *
 * Where the client runs. The engine's handlers all share the main thread's event loop, so a load generator in that
 * same loop puts its own work (signing, building and parsing requests) in front of the engine's, and its send timers
 * fire late whenever a handler runs long. Measured on this 2-core machine, phase a at 40/s, three alternating pairs:
 * worker thread p50 4.8-5.0 ms, p99 9.4-9.7 ms, schedule lag p99 1.1-1.5 ms; inline p50 6.0-6.1 ms, p99 23-45 ms,
 * schedule lag p99 4-10 ms (the first pair, under heavy outside load, was noise for both). The worker itself
 * used about 0.2 ms of CPU per request (CPU profile), on the other core. So the client runs in a worker thread by
 * default: its own event loop, same process, and the bench prints its schedule lag so a starved client shows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startEngine, type Engine } from '../lib/local/engine';
import { tuneHeapGrowth } from '../lib/local/heap';
import { httpRoutes } from '../lib/wiring';
import { consoleBench } from './console';
import { bundleTable, measureBundles, QUICK_FUNCTIONS, QUICK_SAMPLES } from './bundles';
import { measureRegex } from './regex';
import { LoadClient, messageId, type ClientSetup, type FromWorker, type RunResult, type RunSpec, type Tick, type ToWorker } from './load-client';

const ROOT = resolve(__dirname, '..');
// The SDK's notice that its 2027 releases will need Node 22 would be the first thing this tool prints; it is not
// about what the tool does (npm start still shows it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The engines measured here run with the heap growth npm start sets (lib/local/heap.ts), before any thread starts.
const heapGrowingPercent = tuneHeapGrowth();

const { values: flags } = parseArgs({
  options: {
    client: { type: 'string', default: 'worker' },
    quick: { type: 'boolean', default: false },
    'ack-rate': { type: 'string', default: '200' },
    campaign: { type: 'boolean', default: false },
    'campaign-only': { type: 'boolean', default: false },
    'campaign-recipients': { type: 'string', default: '10000' },
    supervision: { type: 'boolean', default: false },
    /** d's new-interaction rate instead of 30% of the capacity phase c measured. */
    'offer-rate': { type: 'string' },
    /** Comma-separated phase letters to run alone, e.g. `--only c,d` (the default runs them all). */
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log('usage: npm run bench -- [--client worker|inline] [--quick] [--ack-rate N (a: requests/s, default 200)] [--campaign | --campaign-only] [--campaign-recipients N] [--supervision (phase s only)] [--only a,b,r,c,d,q,l,g,z (these phases alone)]');
  process.exit(0);
}
const QUICK = flags.quick === true;
/** Consumer threads of the engines measured as npm start runs them (npm start uses SWITCHBOARD_CONSUMER_THREADS too). */
const THREADS = Math.max(1, Number(process.env.SWITCHBOARD_CONSUMER_THREADS ?? 1) || 1);
const ACK_RATE = Number(flags['ack-rate']);
if (!Number.isFinite(ACK_RATE) || ACK_RATE <= 0) {
  console.error('--ack-rate must be a positive number of requests per second');
  process.exit(2);
}
const seconds = (full: number, quick: number) => (QUICK ? quick : full) * 1000;
const ONLY = flags.only ? new Set(flags.only.split(',').map((p) => p.trim())) : undefined;
/** Whether a phase runs in this bench (all of them unless --only names some). */
const runs = (...phases: string[]) => !ONLY || phases.some((p) => ONLY.has(p));

/** Shared modules are loaded only after startEngine has set their environment (as lib/local/engine.ts does). */
function load<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolve(ROOT, path)) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const num = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

interface Row {
  figure: string;
  value: number | undefined;
  unit: string;
  /** 'max': the value must be at most the target; 'min': at least. */
  kind: 'max' | 'min';
  target: number;
  note?: string;
}
const summary: Row[] = [];

function verdict(row: Row): { ratio: string; word: string } {
  if (row.value === undefined || !Number.isFinite(row.value)) return { ratio: 'n/a', word: 'NOT MEASURED' };
  const ok = row.kind === 'max' ? row.value <= row.target : row.value >= row.target;
  const ratio = row.target === 0 ? (row.value === 0 ? '-' : '∞') : `${(row.value / row.target).toFixed(2)}x`;
  return { ratio, word: ok ? 'PASS' : 'FAIL' };
}

function printSummary(): void {
  const lines = summary.map((row) => {
    const { ratio, word } = verdict(row);
    const value = row.value === undefined || !Number.isFinite(row.value) ? 'n/a' : `${num(row.value, row.unit === '' && Number.isInteger(row.value) ? 0 : 2)} ${row.unit}`.trim();
    return [row.figure, value, `${row.kind === 'max' ? '<=' : '>='} ${row.target} ${row.unit}`.trim(), ratio, word, row.note ?? ''];
  });
  const header = ['figure', 'measured', 'target', 'ratio', 'result', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(`\n=== Summary (ratio = measured / target; "at most" targets pass below 1x, "at least" targets at 1x or above)`);
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

// ---------------------------------------------------------------------------------------------------------------
// The load client, in a worker thread or inline

interface Client {
  run(spec: RunSpec, onTick?: (tick: Tick) => void): Promise<RunResult>;
  setRate(rate: number): void;
  send(id: string, from: string, text: string): Promise<{ status: number; ms: number }>;
  close(): Promise<void>;
}

function inlineClient(setup: ClientSetup): Client {
  const client = new LoadClient(setup);
  return {
    run: (spec, onTick) => client.run(spec, onTick),
    setRate: (rate) => client.setRate(rate),
    send: (id, from, text) => client.send(id, from, text),
    close: async () => client.close(),
  };
}

function workerClient(setup: ClientSetup): Client {
  // Worker threads do not inherit tsx's loader for a .ts entry: the eval'd entry registers tsx, then loads the file.
  const entry = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'load-client.ts'))});`;
  const worker = new Worker(entry, { eval: true, workerData: { loadClient: setup } });
  const inline = new LoadClient(setup); // single sequential sends (c) need no worker
  let current: { resolve: (r: RunResult) => void; reject: (e: Error) => void; onTick?: (t: Tick) => void } | undefined;
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'tick') current?.onTick?.(message.tick);
    else if (message.type === 'done') current?.resolve(message.result);
    else current?.reject(new Error(message.message));
  });
  worker.on('error', (error) => current?.reject(error));
  const post = (message: ToWorker) => worker.postMessage(message);
  return {
    run: (spec, onTick) =>
      new Promise<RunResult>((resolveRun, reject) => {
        current = { resolve: resolveRun, reject, ...(onTick ? { onTick } : {}) };
        post({ type: 'run', spec });
      }),
    setRate: (rate) => post({ type: 'rate', ratePerSec: rate }),
    send: (id, from, text) => inline.send(id, from, text),
    close: async () => {
      inline.close();
      post({ type: 'close' });
      await worker.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Contacts: valid Italian mobile numbers, one set per phase so each phase knows which interactions exist. */
function contacts(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `+39333${String(first + i).padStart(7, '0')}`);
}

/** Other work on the machine (tests, builds) competes for the same cores and moves every figure: say how much. */
function machineLoad(): string {
  const [one = 0] = loadavg();
  const cores = availableParallelism();
  return `${cores} cores, 1-min load average ${one.toFixed(2)}${one > cores * 0.75 ? '  ← other work is running: the figures are not this engine alone' : ''}`;
}

async function idle(engine: Engine, timeoutMs: number): Promise<number> {
  const started = performance.now();
  try {
    await engine.idle(timeoutMs);
  } catch {
    console.log(`  (the engine was still busy after ${timeoutMs / 1000} s: inbound queue depth ${engine.queues.inbound.depth})`);
  }
  return performance.now() - started;
}

function describeRun(label: string, r: RunResult): void {
  const failures = Object.entries(r.failures)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  console.log(
    `  ${label}: sent ${r.sent}, acknowledged ${r.acked}${r.errors ? `, failed ${r.errors} (${failures})` : ''}; ` +
      `offered ${num(r.sent / (r.sendWindowMs / 1000))}/s; client schedule lag p99 ${ms(percentile(r.lags, 99))}, max ${ms(Math.max(...r.lags))}`,
  );
}

interface Rig {
  engine: Engine;
  client: Client;
  account: { id: string; channel: 'sms' | 'whatsapp'; phone: string; proxyToken: string; listId: string };
  /** POSTs to the @connections API (notifications) since the rig started. */
  posts: () => number;
  errors: () => number;
  stop(): Promise<void>;
}

/**
 * An engine on its own in-memory store with one Twilio SMS account. `consumerThreads` as npm start runs it (queue
 * consumers on the other core); inline when the bench must count requests on the one SDK client it can reach.
 * `plan` gives the account a routing plan (phase d).
 */
async function rig(consumerThreads: boolean | number, settings: Record<string, unknown> = {}, durable = false): Promise<Rig> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  let engineErrors = 0;
  const engine = await startEngine({
    httpPort: 0,
    wsPort: 0,
    // Durable: the store on disk and the queues journaled, as npm start runs them.
    inMemory: !durable,
    dataDir,
    consumerThreads,
    env: { LOG_LEVEL: 'warn' },
    log: (line) => {
      if (/fail|error/i.test(line)) {
        engineErrors += 1;
        if (engineErrors <= 5) console.log(`  [engine] ${line}`);
      }
    },
  });
  let posts = 0;
  const handleManagement = engine.ws.handleManagement.bind(engine.ws);
  engine.ws.handleManagement = (req, res, body) => {
    const handled = handleManagement(req, res, body);
    if (handled && req.method === 'POST') posts += 1;
    return handled;
  };
  const { createList } = load<typeof import('../shared/store/lists')>('shared/store/lists');
  const { createAccount, receiveUrl } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts');
  const { settingsSchema } = load<typeof import('../shared/admin/account-schema')>('shared/admin/account-schema');
  const list = await createList({ name: 'Bench contacts' });
  const authToken = 'bench-auth-token-0123456789abcdef';
  const accountSid = `AC${'0'.repeat(24)}bench001`;
  const account = await createAccount({
    channel: 'sms',
    name: 'Bench Twilio SMS',
    key: 'bench',
    type: 'twilio',
    phone: '+15005550006',
    listId: list.id,
    credentials: { accountSid, authToken },
    settings: settingsSchema.parse(settings),
  });
  const setup: ClientSetup = {
    httpUrl: engine.httpUrl,
    publicUrl: receiveUrl(account),
    account: { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
    credentials: { accountSid, authToken },
  };
  const client = flags.client === 'inline' ? inlineClient(setup) : workerClient(setup);
  return {
    engine,
    client,
    account: { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken, listId: list.id },
    posts: () => posts,
    errors: () => engineErrors,
    async stop() {
      await client.close();
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * --quick: c, q and l share one engine with inline consumers (each engine start costs seconds of a short run); the
 * full bench gives each phase an engine of its own. q's queues and agents are its own, so c's leftovers (one more
 * queue and three agents on the supervisor's board) are all it sees of c.
 */
let quickInline: Promise<Rig> | undefined;

async function inlineRig(): Promise<{ r: Rig; release: () => Promise<void> }> {
  if (!QUICK) {
    const r = await rig(false);
    return { r, release: () => r.stop() };
  }
  quickInline ??= rig(false);
  return { r: await quickInline, release: async () => undefined };
}

async function stopQuickInline(): Promise<void> {
  const shared = quickInline;
  quickInline = undefined;
  await (await shared)?.stop();
}

/** Waits until `done()` (a notification on its way to a socket after the engine went idle), at most `maxMs`. */
async function settle(done: () => boolean, maxMs: number): Promise<void> {
  // The full bench keeps its fixed wait; --quick stops waiting as soon as everything it waits for has arrived.
  const deadline = performance.now() + maxMs;
  while ((!QUICK || !done()) && performance.now() < deadline) await new Promise((res) => setTimeout(res, QUICK ? 5 : maxMs));
}

/** `quickMs`: how long --quick warms up (d's warm-up messages each open an interaction that costs ~40 requests). */
async function warmUp(r: Rig, contactList: string[], prefix: string, quickMs = 1000): Promise<void> {
  const warm = await r.client.run({ ratePerSec: 100, durationMs: QUICK ? quickMs : 3000, contacts: contactList, idPrefix: prefix });
  await idle(r.engine, 20_000);
  console.log(`\nwarm-up: ${warm.acked}/${warm.sent} acknowledged, ${contactList.length} contacts with an open interaction`);
  if (warm.acked === 0) throw new Error(`the engine acknowledged none of the warm-up webhooks: ${JSON.stringify(warm.failures)}`);
}

/** Requests per interaction offered to 3, accepted and closed (phase c), and the in-memory store's floor: d's pace. */
let lifecycleRequests = 0;
let followUpRequests = 0;
let storeFloor = 0;
/** What a phase process hands to the next ones (d paces itself from c's counts): see `isolatedPhases`. */
interface Carried {
  lifecycleRequests: number;
  followUpRequests: number;
  storeFloor: number;
}
if (process.env.SWITCHBOARD_BENCH_CARRIED)
  ({ lifecycleRequests, followUpRequests, storeFloor } = JSON.parse(process.env.SWITCHBOARD_BENCH_CARRIED) as Carried);

/** c. DynamoDB requests per inbound message into an existing interaction, on an engine with inline consumers. */
async function phaseC(): Promise<void> {
  const { r, release } = await inlineRig();
  try {
    console.log(`\n[engine for c: queue consumers inline, so one SDK client sees every request] ${r.engine.httpUrl}`);
    // Counted on the SDK client every store module shares (the document client uses its stack). The engine's timer
    // poller queries gsi2 every 100 ms whatever happens; it is counted apart as background.
    const { dynamo } = load<typeof import('../shared/store/client')>('shared/store/client');
    const counts = { requests: 0, background: 0, byKind: new Map<string, number>() };
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IndexName?: string; Key?: { pk?: unknown }; ExpressionAttributeValues?: Record<string, unknown> };
        if (input.IndexName === 'gsi2' && input.ExpressionAttributeValues?.[':p'] === 'TIMERS') counts.background += 1;
        else {
          counts.requests += 1;
          const command = (context.commandName ?? '?').replace(/Command$/, '');
          const kind = typeof input.Key?.pk === 'string' ? ` ${input.Key.pk.split('#')[0]}` : '';
          counts.byKind.set(`${command}${kind}`, (counts.byKind.get(`${command}${kind}`) ?? 0) + 1);
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
    const contactsC = contacts(3_000_000, 20);
    await warmUp(r, contactsC, 'c0', 500);
    console.log('\n=== c. DynamoDB requests per inbound message into an existing interaction (target <= 6)');
    // Counted over the whole path, webhook and processor (with routing), for contacts whose interaction is open. One
    // message at a time, each processed alone: no batching helps, so this is the per-message cost at its highest.
    const kindsBefore = new Map(counts.byKind);
    const requestsBefore = counts.requests;
    let counted = 0;
    for (let i = 0; i < (QUICK ? 10 : 40); i++) {
      const res = await r.client.send(messageId('c1', i), contactsC[i % contactsC.length] ?? '+393330000000', `count ${i}`);
      await r.engine.idle(10_000);
      if (res.status === 200) counted += 1;
    }
    const perMessage = (counts.requests - requestsBefore) / Math.max(1, counted);
    followUpRequests = perMessage;
    const byKind = [...counts.byKind]
      .map(([name, n]) => [name, n - (kindsBefore.get(name) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((x, y) => y[1] - x[1])
      .map(([name, n]) => `${name} ${num(n / Math.max(1, counted), 2)}`)
      .join(', ');
    console.log(`  one at a time (${counted} messages, each processed alone): ${num(perMessage, 2)} requests/message, webhook and processor together`);
    console.log(`  per message, by request (and item kind): ${byKind}`);
    const batchRequestsBefore = counts.requests;
    const batch = await r.client.run({ ratePerSec: 100, durationMs: seconds(2, 1), contacts: contactsC, idPrefix: 'c2' });
    await idle(r.engine, 20_000);
    const batchPerMessage = (counts.requests - batchRequestsBefore) / Math.max(1, batch.acked);
    console.log(`  under load (${batch.acked} messages at 100/s over ${contactsC.length} contacts): ${num(batchPerMessage, 2)} requests/message`);
    summary.push({ figure: 'c. DynamoDB requests / message', value: perMessage, unit: '', kind: 'max', target: 6, note: `${num(batchPerMessage, 2)} under load at 100/s` });

    // The offer path: each message from a new contact opens an interaction that a ring-all queue offers to its three
    // online members (their sockets do not matter to the count: presence is read either way).
    const { createQueue } = load<typeof import('../shared/store/queues')>('shared/store/queues');
    const { createAgent } = load<typeof import('../shared/store/agents')>('shared/store/agents');
    const { addMember } = load<typeof import('../shared/store/memberships')>('shared/store/memberships');
    const { setPresence } = load<typeof import('../shared/store/presence')>('shared/store/presence');
    const { patchAccount } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts');
    const { requireAccount } = load<typeof import('../shared/store/accounts')>('shared/store/accounts');
    const queue = await createQueue({ name: 'Bench offers', strategy: 'ring-all' });
    const offerAgents: string[] = [];
    for (let i = 0; i < 3; i++) {
      const agent = await createAgent({ username: `offer${i}`, fullName: `Offer agent ${i}`, typology: 'webrtc', voicemail: false, remoteControl: false, role: 'agent', disabled: false, capacity: { sms: 50, whatsapp: 50 } });
      await addMember('ACCOUNT', r.account.id, agent.id);
      await addMember('QUEUE', queue.id, agent.id);
      await setPresence(agent.id, 'online');
      offerAgents.push(agent.id);
    }
    await patchAccount(await requireAccount(r.account.id), { settings: { routing: [{ type: 'queue', queueId: queue.id, timeoutSeconds: 600 }] } });
    const fresh = contacts(3_500_000, QUICK ? 12 : 40);
    await r.client.send(messageId('c3', 0), fresh[0]!, 'warm the offer path');
    await r.engine.idle(10_000);
    const offerKindsBefore = new Map(counts.byKind);
    const offerRequestsBefore = counts.requests;
    let offers = 0;
    for (let i = 1; i < fresh.length; i++) {
      const res = await r.client.send(messageId('c3', i), fresh[i]!, `new contact ${i}`);
      await r.engine.idle(10_000);
      if (res.status === 200) offers += 1;
    }
    const perOffer = (counts.requests - offerRequestsBefore) / Math.max(1, offers);
    const offerKinds = [...counts.byKind]
      .map(([name, n]) => [name, n - (offerKindsBefore.get(name) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((x, y) => y[1] - x[1])
      .map(([name, n]) => `${name} ${num(n / Math.max(1, offers), 2)}`)
      .join(', ');
    console.log(`  a new interaction offered to a ring-all queue of 3 (${offers} messages, each alone): ${num(perOffer, 2)} requests per new interaction`);
    console.log(`  per new interaction, by request (and item kind): ${offerKinds}`);
    summary.push({ figure: 'c. DynamoDB requests / new interaction offered to 3', value: perOffer, unit: '', kind: 'max', target: 10 });

    // What a desk adds to each: the agent accepts it and closes it (the others' offers end with the accept).
    const { accept, closeByAgent } = load<typeof import('../shared/routing/service')>('shared/routing/service');
    const { listInteractionsOf } = load<typeof import('../shared/store/interactions')>('shared/store/interactions');
    const offeredNow = (await listInteractionsOf(r.account.id)).filter((i) => i.status === 'open' && fresh.includes(i.contactPhone)).slice(0, QUICK ? 8 : 30);
    const handleKindsBefore = new Map(counts.byKind);
    const handleBefore = counts.requests;
    for (const [k, i] of offeredNow.entries()) {
      await accept(offerAgents[k % 3]!, i.id);
      await closeByAgent(offerAgents[k % 3]!, i.id, undefined, false);
      await r.engine.idle(10_000);
    }
    lifecycleRequests = perOffer + (counts.requests - handleBefore) / Math.max(1, offeredNow.length);
    const handleKinds = [...counts.byKind]
      .map(([name, n]) => [name, n - (handleKindsBefore.get(name) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((x, y) => y[1] - x[1])
      .map(([name, n]) => `${name} ${num(n / Math.max(1, offeredNow.length), 2)}`)
      .join(', ');
    console.log(`  accepting and closing it (${offeredNow.length}): ${num((counts.requests - handleBefore) / Math.max(1, offeredNow.length), 2)} requests more (${handleKinds}); ${num(lifecycleRequests, 1)} for its whole life`);
    storeFloor = await floorPhase(r.engine.storeEndpoint, r.engine.tableName);
    console.log(`  this store's floor (PutItem, concurrency 8): ${num(storeFloor)} requests/s, so offered, accepted and closed interactions at most ${num(storeFloor / lifecycleRequests)}/s`);
  } finally {
    await release();
  }
}

/** a and b on an engine as npm start runs it (queue consumers in a worker thread). */
/**
 * f. The DynamoDB floor: what a plain SDK client gets from the store with nothing else on the path, PutItem of small
 * items at concurrency 8 (fresh keys, so it writes like the inbound path does), in requests per second.
 */
async function floorPhase(endpoint: string, tableName: string): Promise<number> {
  const [perSecond] = await floorSamples(endpoint, tableName, 1, seconds(6, 1));
  return perSecond!;
}

/** `count` back-to-back samples of the floor, `eachMs` long: its requests/s in each. */
async function floorSamples(endpoint: string, tableName: string, count: number, eachMs: number): Promise<number[]> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const body = 'x'.repeat(300);
  const rates: number[] = [];
  for (let sample = 0; sample < count; sample++) {
    let done = 0;
    const started = performance.now();
    const worker = async (w: number) => {
      for (let i = 0; performance.now() - started < eachMs; i++) {
        await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `BENCHFLOOR#${sample}#${w}#${i}` }, sk: { S: 'FLOOR' }, body: { S: body } } }));
        done += 1;
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    rates.push(done / ((performance.now() - started) / 1000));
  }
  client.destroy();
  return rates;
}

async function phasesAB(): Promise<void> {
  const r = await rig(THREADS, {}, true);
  const { engine, client } = r;
  try {
    console.log(`\n[engine for a and b: as npm start runs it, queue consumers in a worker thread, store and queues on disk] ${engine.httpUrl}`);
    const contactsA = contacts(1_000_000, 100);
    await warmUp(r, contactsA, 'a0');

    console.log(`\n=== a. Webhook acknowledgement latency at ${ACK_RATE} requests/s, open loop (target p99 <= 15 ms at 200/s)`);
    const a = await client.run({ ratePerSec: ACK_RATE, durationMs: seconds(10, 2), contacts: contactsA, idPrefix: 'a1' });
    describeRun('load', a);
    const [p50, p99, max] = [percentile(a.latencies, 50), percentile(a.latencies, 99), Math.max(...a.latencies)];
    console.log(`  ack latency p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(max)}  → p99 is ${num(p99 / 15, 2)}x the 15 ms target`);
    summary.push({ figure: `a. webhook ack p50 @${ACK_RATE}/s`, value: p50, unit: 'ms', kind: 'max', target: 15, note: 'info (target is on p99)' });
    summary.push({ figure: `a. webhook ack p99 @${ACK_RATE}/s`, value: p99, unit: 'ms', kind: 'max', target: 15, note: `max ${ms(max)}` });
    await idle(engine, 20_000);

    // The floor is sampled on both sides of b and its median taken: one 6 s sample of this store on disk moved between
    // 617 and 1,284 requests/s from run to run on the same code (what the disk and the machine were doing then), while
    // intake moved by 20%, so a single sample made b's ratio a measure of the moment the sample fell in.
    console.log('\n=== f. DynamoDB floor: a plain SDK client, PutItem at concurrency 8, against the same store (before b; again after it)');
    const floorBefore = await floorSamples(engine.storeEndpoint, engine.tableName, QUICK ? 1 : 3, seconds(2, 1));
    console.log(`  before b: ${floorBefore.map((f) => num(f, 0)).join(', ')} requests/s`);

    console.log('\n=== b. Sustained intake for 30 s at the highest rate the engine takes (target >= 300 msg/s, none lost)');
    const probe = load<typeof import('./store-probe')>('bench/store-probe');
    const contactsB = contacts(2_000_000, 500);
    // --quick starts at 300/s or half again what the floor allows (floor / 4), whichever is lower: still above what the
    // engine takes, so its own pace sets the figure, but a 3 s run on a slow or busy machine does not then spend many
    // times that draining a backlog it could never take. The full bench climbs from 300/s.
    let rate = QUICK ? Math.min(300, Math.max(25, Math.round((1.5 * floorBefore[0]!) / 4))) : 300;
    const rates: number[] = [];
    let last = { acked: 0, depth: 0 };
    const completions: number[] = [];
    const controller = (tick: Tick) => {
      // Open loop at `rate`, adjusted once a second to keep about half a second of work waiting in the inbound queue:
      // the consumers never wait for work, and the backlog stays bounded. The next second's rate is what the engine
      // processed in the last ones plus what brings the queue back to that depth; while requests wait for their answer
      // (the HTTP side is behind) it does not rise. An earlier controller backed off to 90% of the pace whenever the
      // queue held half a second and climbed back 15% a second: it swung between 70 and 225/s and left the consumers
      // idle part of each swing, so the figure was the controller's, not the engine's.
      const depth = engine.queues.inbound.depth;
      completions.push(Math.max(0, tick.acked - last.acked - (depth - last.depth)));
      last = { acked: tick.acked, depth };
      const recent = completions.slice(-3);
      const pace = recent.reduce((a, b) => a + b, 0) / recent.length;
      let next = pace + (Math.max(10, pace * 0.5) - depth);
      if (tick.inflight > Math.max(5, rate * 0.1)) next = Math.min(next, rate);
      // At most halved or doubled in a second: the first second's pace, while the consumers warm up, is no pace.
      rate = Math.max(25, Math.round(rate / 2), Math.min(rate * 2, Math.round(next)));
      rates.push(rate);
      client.setRate(rate);
    };
    const intakeStarted = performance.now();
    const b = await client.run({ ratePerSec: rate, durationMs: seconds(30, 3), contacts: contactsB, idPrefix: 'b1', tickMs: 1000 }, controller);
    // Long enough that a slow (or busy) machine drains what it acknowledged: "lost" must mean lost, not still queued.
    const drainMs = await idle(engine, seconds(180, 120));
    const intakeMs = performance.now() - intakeStarted;
    describeRun('load', b);
    console.log(`  offered rate per second: ${rates.join(' ')}`);
    console.log(`  ack latency during intake: p50 ${ms(percentile(b.latencies, 50))}, p99 ${ms(percentile(b.latencies, 99))}; queue drained ${num(drainMs / 1000, 1)} s after the last send`);
    const tally = await probe.countStored(r.account.id, contactsB, b.records);
    const messagesPerSecond = tally.stored / (intakeMs / 1000);
    const floorAfter = QUICK ? [] : await floorSamples(engine.storeEndpoint, engine.tableName, 3, seconds(2, 1));
    const floorAll = [...floorBefore, ...floorAfter];
    const floor = percentile(floorAll, 50);
    console.log(`  floor after b: ${floorAfter.map((f) => num(f, 0)).join(', ') || 'not sampled (--quick)'} requests/s; median of ${floorAll.length}: ${num(floor)} requests/s, floor / 4 = ${num(floor / 4)} messages/s`);
    summary.push({ figure: 'f. DynamoDB floor (c=8)', value: floor, unit: 'req/s', kind: 'min', target: 0, note: `info: the store alone; median of ${floorAll.map((f) => num(f, 0)).join(', ')}` });
    console.log(
      `  sent ${b.sent}, acknowledged ${b.acked}, stored ${tally.stored}, lost ${tally.lost} (acknowledged, not stored), doubled ${tally.doubled}; ` +
        `inbound DLQ ${engine.deadLetters.inbound.depth}; still queued ${engine.queues.inbound.depth}`,
    );
    console.log(`  ${num(messagesPerSecond)} messages/s stored (stored / ${num(intakeMs / 1000)} s from the first send to an idle engine); counted by ${tally.method}`);
    summary.push({ figure: 'b. sustained intake (stored)', value: messagesPerSecond, unit: 'msg/s', kind: 'min', target: 300, note: `${tally.stored}/${b.sent} stored` });
    const ratio = messagesPerSecond / (floor / 4);
    console.log(`  intake ratio: ${num(messagesPerSecond)} msg/s / (floor ${num(floor)} / 4) = ${num(ratio, 2)} (target >= 0.7)`);
    summary.push({ figure: 'b. intake / (floor / 4)', value: ratio, unit: '', kind: 'min', target: 0.7, note: 'durable queues, store on disk' });
    summary.push({ figure: 'b. lost (acked, not stored)', value: tally.lost, unit: '', kind: 'max', target: 0 });
    summary.push({ figure: 'b. doubled', value: tally.doubled, unit: '', kind: 'max', target: 0 });
    if (r.errors() > 0) console.log(`\n${r.errors()} engine error lines during a and b (first ones printed above)`);
  } finally {
    await r.stop();
  }
}

/**
 * d. Webhook to agent WebSocket notification: every message opens an interaction that a ring-all queue offers to
 * three online agents, each with one WebSocket connection; a fourth agent in the queue but not in the account must
 * receive nothing. Latency is from the webhook's send to the first offer reaching an agent's socket.
 */
async function phaseD(): Promise<void> {
  const { createQueue } = load<typeof import('../shared/store/queues')>('shared/store/queues');
  const r = await rig(THREADS);
  try {
    console.log(`\n[engine for d: queue consumers in a worker thread] ${r.engine.httpUrl}`);
    const { createAgent } = load<typeof import('../shared/store/agents')>('shared/store/agents');
    const { addMember } = load<typeof import('../shared/store/memberships')>('shared/store/memberships');
    const { setPresence } = load<typeof import('../shared/store/presence')>('shared/store/presence');
    const { signToken } = load<typeof import('../shared/http/auth')>('shared/http/auth');
    const { patchAccount } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts');
    const { requireAccount } = load<typeof import('../shared/store/accounts')>('shared/store/accounts');
    const queue = await createQueue({ name: 'Bench queue', strategy: 'ring-all' });
    await patchAccount(await requireAccount(r.account.id), { settings: { routing: [{ type: 'queue', queueId: queue.id, timeoutSeconds: 600 }] } });
    const arrivals = new Map<string, number>();
    const received = new Map<string, number>();
    let outsiderMessages = 0;
    const sockets: import('ws').WebSocket[] = [];
    const { default: WebSocketClient } = await import('ws');
    const agentIds: string[] = [];
    const { accept, closeByAgent } = load<typeof import('../shared/routing/service')>('shared/routing/service');
    /** take: the first to hear accepts and closes; hold (--quick's follow-up set-up): accepts and keeps it; off. */
    let handling: 'take' | 'hold' | 'off' = 'take';
    let taken = 0;
    const taking = new Set<string>();
    let handleFailures = 0;
    const heldPhones = new Set<string>();
    const holding = new Set<Promise<void>>();
    const handle = async (agentId: string, interactionId: string, phone: string, mode: 'take' | 'hold') => {
      try {
        await accept(agentId, interactionId);
        if (mode === 'hold') heldPhones.add(phone);
        else {
          await closeByAgent(agentId, interactionId, undefined, false);
          taken += 1;
        }
      } catch {
        handleFailures += 1;
      }
    };
    for (let i = 0; i < 4; i++) {
      const outsider = i === 3;
      const agent = await createAgent({ username: `bench${i}`, fullName: `Bench agent ${i}`, typology: 'webrtc', voicemail: false, remoteControl: false, role: 'agent', disabled: false, capacity: { sms: 50, whatsapp: 50 } });
      agentIds.push(agent.id);
      if (!outsider) await addMember('ACCOUNT', r.account.id, agent.id);
      await addMember('QUEUE', queue.id, agent.id);
      await setPresence(agent.id, 'online');
      const token = await signToken({ sub: agent.id, username: agent.username, role: 'agent' });
      const ws = new WebSocketClient(`${r.engine.wsUrl}?token=${token}`);
      await new Promise((res, rej) => ws.once('open', res).once('error', rej));
      ws.on('message', (data) => {
        const at = performance.timeOrigin + performance.now();
        if (outsider) outsiderMessages += 1;
        const m = JSON.parse(data.toString()) as { type?: string; contactPhone?: string; messageText?: string; interactionId?: string };
        if (m.type === 'interaction.offered' && m.contactPhone && !arrivals.has(m.contactPhone)) arrivals.set(m.contactPhone, at);
        // The agent who heard first takes each interaction and finishes it, as a desk would, so agents keep room under
        // their capacity (pending offers count against it) and the queue keeps offering. Per interaction, not per
        // contact: a contact whose interaction was closed opens another one.
        if (m.type === 'interaction.offered' && handling !== 'off' && m.interactionId && m.contactPhone && !taking.has(m.interactionId)) {
          taking.add(m.interactionId);
          const handled = handle(agent.id, m.interactionId, m.contactPhone, handling);
          if (handling === 'hold') {
            holding.add(handled);
            void handled.then(() => holding.delete(handled));
          }
        }
        if (m.type === 'message.received' && m.messageText) received.set(m.messageText, at);
      });
      sockets.push(ws);
    }
    // Warm-up: the consumer thread loads its modules on first use; new interactions exercise the whole offer path.
    await warmUp(r, contacts(5_000_000, 60), 'd0', 250);
    arrivals.clear();
    // Calibrated: 30% of what the store's floor allows for the requests each interaction costs (phase c's counts).
    if (!storeFloor) storeFloor = await floorPhase(r.engine.storeEndpoint, r.engine.tableName);
    const lifecycle = lifecycleRequests || 25;
    const offerRate = Number(flags['offer-rate']) || Math.max(5, Math.round((0.3 * storeFloor) / lifecycle));
    const followRate = Math.max(5, Math.round((0.3 * storeFloor) / (followUpRequests || 6)));
    console.log(
      `\n=== d. Webhook to agent WebSocket notification at 30% of the path's capacity: floor ${num(storeFloor)} requests/s, ` +
        `${num(lifecycle, 1)} requests per new interaction offered, accepted and closed${lifecycleRequests ? '' : ' (assumed: phase c did not run)'} → ${offerRate}/s (target p99 <= 100 ms)`,
    );
    const sends = Math.round(offerRate * (QUICK ? 2 : 12));
    const contactsD = contacts(4_000_000, sends);
    const postsBefore = r.posts();
    const run = await r.client.run({ ratePerSec: offerRate, durationMs: (sends / offerRate) * 1000, contacts: contactsD, idPrefix: 'd1' });
    await idle(r.engine, 30_000);
    await settle(() => run.records.every((rec) => rec.status !== 200 || arrivals.has(rec.contact)), 200);
    const latencies = run.records.filter((rec) => rec.status === 200 && arrivals.has(rec.contact)).map((rec) => arrivals.get(rec.contact)! - rec.sentAt);
    const offered = latencies.length;
    const posts = r.posts() - postsBefore;
    const [p50, p99] = [percentile(latencies, 50), percentile(latencies, 99)];
    console.log(`  ${run.acked} messages acknowledged, ${offered} offers received (each new interaction offered to 3 agents)`);
    console.log(`  webhook to first offer on an agent's socket: p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(Math.max(...latencies))}`);
    console.log(`  postToConnection calls: ${posts} for ${run.acked} interactions offered (to 3 connections), accepted and closed = ${num(posts / Math.max(1, run.acked), 2)} per interaction`);
    console.log(`  messages to the agent outside the account: ${outsiderMessages}`);
    console.log(`  offers taken and closed by the agent who heard first: ${taken} (${handleFailures} lost a race or failed)`);
    handling = 'off';
    summary.push({ figure: 'd. new-interaction offer p50', value: p50, unit: 'ms', kind: 'max', target: 100, note: 'info (target is on p99)' });
    summary.push({ figure: `d. new-interaction offer p99 @${offerRate}/s`, value: p99, unit: 'ms', kind: 'max', target: 100, note: `${offered}/${run.acked} offered; 30% of floor ${num(storeFloor, 0)}/${num(lifecycle, 1)}` });
    summary.push({ figure: 'd. posts to outsiders', value: outsiderMessages, unit: '', kind: 'max', target: 0 });

    // The steady state: follow-up messages in interactions an agent has accepted reach that agent's socket. The
    // interactions are opened with no plan (nobody is offered them), then each account agent accepts a third.
    const { listInteractionsOf } = load<typeof import('../shared/store/interactions')>('shared/store/interactions');
    const held = contacts(4_500_000, QUICK ? 30 : 90);
    let handled: string[];
    if (QUICK) {
      // --quick keeps the plan (no 5 s wait for the consumer thread's account cache): the queue offers each one, and
      // the agent who hears first accepts it and keeps it. Followed up, it is the same accepted interaction.
      handling = 'hold';
      const opened = await r.client.run({ ratePerSec: 100, durationMs: held.length * 10, contacts: held, idPrefix: 'd1b' });
      await idle(r.engine, 30_000);
      await settle(() => opened.records.every((rec) => rec.status !== 200 || arrivals.has(rec.contact)), 2_000);
      while (holding.size > 0) await Promise.all([...holding]);
      handling = 'off';
      await idle(r.engine, 30_000);
      handled = held.filter((p) => heldPhones.has(p));
      console.log(`  follow-up set-up: ${opened.acked} interactions offered by the queue, ${handled.length} accepted (and kept) by the agent who heard first`);
    } else {
      await patchAccount(await requireAccount(r.account.id), { settings: { routing: [] } });
      // The consumer thread keeps an account read for 5 s: wait it out, so none of these is still offered by the queue.
      await new Promise((res) => setTimeout(res, 5_500));
      const opened = await r.client.run({ ratePerSec: 100, durationMs: held.length * 10, contacts: held, idPrefix: 'd1b' });
      await idle(r.engine, 30_000);
      const byPhone = new Map((await listInteractionsOf(r.account.id)).filter((i) => i.status === 'open').map((i) => [i.contactPhone, i.id]));
      let accepted = 0;
      for (const [k, phone] of held.entries()) {
        const id = byPhone.get(phone);
        if (id) await accept(agentIds[k % 3]!, id).then(() => (accepted += 1), () => undefined);
      }
      console.log(`  follow-up set-up: ${opened.acked} interactions opened with no plan, ${accepted} accepted by the three account agents`);
      handled = held.filter((p) => byPhone.has(p));
    }
    received.clear();
    const follow = await r.client.run({ ratePerSec: followRate, durationMs: seconds(10, 2), contacts: handled, idPrefix: 'd2' });
    await idle(r.engine, 30_000);
    await settle(() => follow.records.every((rec, seq) => rec.status !== 200 || received.has(`bench message ${seq}`)), 200);
    const followLatencies = follow.records
      .map((rec, seq) => (rec.status === 200 && received.has(`bench message ${seq}`) ? received.get(`bench message ${seq}`)! - rec.sentAt : undefined))
      .filter((v): v is number => v !== undefined);
    const [f50, f99] = [percentile(followLatencies, 50), percentile(followLatencies, 99)];
    console.log(`  follow-ups to the assigned agent at ${followRate}/s: ${follow.acked} acknowledged, ${followLatencies.length} delivered to its socket; p50 ${ms(f50)}, p99 ${ms(f99)}`);
    summary.push({ figure: `d. follow-up to agent p99 @${followRate}/s`, value: f99, unit: 'ms', kind: 'max', target: 50, note: `${followLatencies.length}/${follow.acked} delivered; 30% of floor / ${num(followUpRequests || 6, 1)}` });
    for (const ws of sockets) ws.close();
  } finally {
    await r.stop();
  }
}

/**
 * q. Queues like a voice queue: interactions wait in five queues (one-at-a-time strategies) while fifty agents of
 * capacity 1 are offline; then the board is read by a supervisor, and each agent becomes available (online, then
 * again each time it closes what it was offered) and the time to the offer of the longest-waiting interaction on its
 * socket is taken. Consumers run inline, so one SDK client counts the requests of each offer.
 */
async function phaseQueues(): Promise<void> {
  const waitingTotal = QUICK ? 100 : 1000;
  const agentCount = QUICK ? 10 : 50;
  const rounds = QUICK ? 2 : 5;
  const { r, release } = await inlineRig();
  try {
    console.log(`\n[engine for q: queue consumers inline${QUICK ? ", c's" : ''}] ${r.engine.httpUrl}`);
    const { dynamo } = load<typeof import('../shared/store/client')>('shared/store/client');
    let requests = 0;
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IndexName?: string; ExpressionAttributeValues?: Record<string, unknown> };
        if (!(input.IndexName === 'gsi2' && input.ExpressionAttributeValues?.[':p'] === 'TIMERS')) requests += 1;
        void context;
        return next(args);
      },
      { step: 'initialize', name: 'benchQueueCounter' },
    );
    const { createQueue } = load<typeof import('../shared/store/queues')>('shared/store/queues');
    const { createAgent } = load<typeof import('../shared/store/agents')>('shared/store/agents');
    const { addMember } = load<typeof import('../shared/store/memberships')>('shared/store/memberships');
    const { signToken } = load<typeof import('../shared/http/auth')>('shared/http/auth');
    const { patchAccount } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts');
    const { requireAccount } = load<typeof import('../shared/store/accounts')>('shared/store/accounts');
    const strategies = ['least-recent', 'round-robin', 'least-recent', 'round-robin', 'least-recent'] as const;
    const queues = await Promise.all(strategies.map((strategy, i) => createQueue({ name: `Bench line ${i}`, strategy, offerTimeoutSeconds: 600 })));
    // The contact's last digit picks the queue: [05] → 0, [16] → 1, [27] → 2, [38] → 3, others → 4.
    const pick = (digits: string, then: number, otherwise: number) => ({
      type: 'gotoif' as const,
      condition: { kind: 'value' as const, field: 'contact.phone' as const, op: 'matches' as const, value: `[${digits}]$` },
      then,
      else: otherwise,
    });
    const routing = [
      pick('05', 4, 1),
      pick('16', 5, 2),
      pick('27', 6, 3),
      pick('38', 7, 8),
      ...queues.map((q) => ({ type: 'queue' as const, queueId: q.id, timeoutSeconds: 86_400 })),
    ];
    await patchAccount(await requireAccount(r.account.id), { settings: { routing } });
    const agents: { id: string; token: string }[] = [];
    for (let i = 0; i < agentCount; i++) {
      const agent = await createAgent({ username: `line${i}`, fullName: `Line agent ${i}`, typology: 'webrtc', voicemail: false, remoteControl: false, role: 'agent', disabled: false, capacity: { sms: 1, whatsapp: 1 } });
      await addMember('ACCOUNT', r.account.id, agent.id);
      for (const q of queues) await addMember('QUEUE', q.id, agent.id);
      agents.push({ id: agent.id, token: await signToken({ sub: agent.id, username: agent.username, role: 'agent' }) });
    }
    const supervisor = await createAgent({ username: 'linesup', fullName: 'Line supervisor', typology: 'webrtc', voicemail: false, remoteControl: false, role: 'supervisor', disabled: false });
    const supervisorToken = await signToken({ sub: supervisor.id, username: supervisor.username, role: 'supervisor' });

    console.log(`\n=== q. Queues: ${waitingTotal} waiting in 5 queues, ${agentCount} agents of capacity 1 (targets: availability to offer p99 <= 250 ms, board read p99 <= 20 ms)`);
    const customers = contacts(6_000_000, waitingTotal);
    const fill = await r.client.run({ ratePerSec: 100, durationMs: (waitingTotal / 100) * 1000, contacts: customers, idPrefix: 'q0' });
    await idle(r.engine, 60_000);
    const api = (token: string, method: string, path: string, body?: unknown) =>
      fetch(`${r.engine.httpUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const lines = await Promise.all(queues.map(async (q) => ((await (await api(supervisorToken, 'GET', `/agent/queues/${q.id}/waiting?limit=1`)).json()) as { total: number }).total));
    console.log(`  ${fill.acked} webhooks acknowledged; waiting per queue: ${lines.join(', ')} (${lines.reduce((a, b) => a + b, 0)} in all)`);

    const boardTimes: number[] = [];
    const boardReads = QUICK ? 20 : 100;
    const boardBefore = requests;
    for (let i = 0; i < boardReads; i++) {
      const t0 = performance.now();
      const res = await api(supervisorToken, 'GET', '/supervisor/board');
      await res.text();
      boardTimes.push(performance.now() - t0);
    }
    const perBoard = (requests - boardBefore) / boardReads;
    console.log(`  board read with ${lines.reduce((a, b) => a + b, 0)} waiting: p50 ${ms(percentile(boardTimes, 50))}, p99 ${ms(percentile(boardTimes, 99))}; ${num(perBoard, 1)} DynamoDB requests per read`);

    const { default: WebSocketClient } = await import('ws');
    const sockets: import('ws').WebSocket[] = [];
    const latencies: number[] = [];
    let offersSeen = 0;
    const offerRequests: number[] = [];
    // One agent at a time becomes available and waits for its offer, so each figure is that agent's alone.
    const availableThenOffered = async (agent: { id: string; token: string }, socket: import('ws').WebSocket, makeAvailable: () => Promise<void>) => {
      const before = requests;
      const offered = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 10_000);
        const onMessage = (data: Buffer) => {
          const m = JSON.parse(data.toString()) as { type?: string; interactionId?: string };
          if (m.type === 'interaction.offered') {
            clearTimeout(timer);
            socket.off('message', onMessage);
            resolve(m.interactionId);
          }
        };
        socket.on('message', onMessage);
      });
      const t0 = performance.now();
      await makeAvailable();
      const id = await offered;
      if (!id) return undefined;
      latencies.push(performance.now() - t0);
      offersSeen += 1;
      offerRequests.push(requests - before);
      return id;
    };
    for (const agent of agents) {
      const socket = new WebSocketClient(`${r.engine.wsUrl}?token=${agent.token}`);
      await new Promise((res, rej) => socket.once('open', res).once('error', rej));
      sockets.push(socket);
    }
    const held = new Map<string, string>();
    for (const [k, agent] of agents.entries()) {
      const id = await availableThenOffered(agent, sockets[k]!, async () => void (await api(agent.token, 'PUT', '/agent/presence', { status: 'online' })).text());
      if (id) held.set(agent.id, id);
    }
    for (let round = 1; round < rounds; round++) {
      for (const [k, agent] of agents.entries()) {
        const id = held.get(agent.id);
        if (!id) continue;
        await (await api(agent.token, 'POST', `/agent/interactions/${id}/accept`)).text();
        const next = await availableThenOffered(agent, sockets[k]!, async () => void (await api(agent.token, 'POST', `/agent/interactions/${id}/close`, {})).text());
        if (next) held.set(agent.id, next);
        else held.delete(agent.id);
      }
    }
    for (const socket of sockets) socket.close();
    const [p50, p99] = [percentile(latencies, 50), percentile(latencies, 99)];
    const perOffer = offerRequests.reduce((a, b) => a + b, 0) / Math.max(1, offerRequests.length);
    console.log(`  availability to offer (${offersSeen} offers: going online, then closing the last one): p50 ${ms(p50)}, p99 ${ms(p99)}; ${num(perOffer, 1)} DynamoDB requests per availability and its offer`);
    summary.push({ figure: 'q. availability to offer p99', value: p99, unit: 'ms', kind: 'max', target: 250, note: `${offersSeen} offers, ${num(perOffer, 1)} requests each` });
    summary.push({ figure: `q. board read p99 (${lines.reduce((a, b) => a + b, 0)} waiting)`, value: percentile(boardTimes, 99), unit: 'ms', kind: 'max', target: 20, note: `${num(perBoard, 1)} requests each` });
  } finally {
    await release();
  }
}

/**
 * r. Restart recovery: an engine is set up on a data directory (its account in the store), stopped, and 10,000
 * inbound messages are written to its durable inbound queue with the engine's own journal, as a crash with that
 * backlog leaves it. Then an engine starts on the directory: the figure is the time from the start call to the first
 * receive of a recovered message by a consumer.
 */
async function phaseRecovery(): Promise<void> {
  const pending = QUICK ? 2_000 : 10_000;
  console.log(`\n=== r. Restart recovery with ${pending} messages pending in the durable inbound queue (target < 5 s to the first redelivery)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-recovery-'));
  const lines: string[] = [];
  const options = { httpPort: 0, wsPort: 0, dataDir, inMemory: false, consumerThreads: THREADS, env: { LOG_LEVEL: 'warn' }, log: (l: string) => lines.push(l) };
  try {
    const first = await startEngine(options);
    const { createList } = load<typeof import('../shared/store/lists')>('shared/store/lists');
    const { createAccount } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts');
    const { settingsSchema } = load<typeof import('../shared/admin/account-schema')>('shared/admin/account-schema');
    const list = await createList({ name: 'Recovery contacts' });
    const account = await createAccount({
      channel: 'sms',
      name: 'Recovery',
      key: 'recov',
      type: 'twilio',
      phone: '+15005550007',
      listId: list.id,
      credentials: { accountSid: `AC${'0'.repeat(24)}bench002`, authToken: 'bench-auth-token-0123456789abcdef' },
      settings: settingsSchema.parse({}),
    });
    const inboundName = first.queues.inbound.name;
    const spec = first.queues.inbound.spec;
    await first.stop();

    const { QueueJournal } = load<typeof import('../lib/local/journal')>('lib/local/journal');
    const { LocalQueue } = load<typeof import('../lib/local/queues')>('lib/local/queues');
    const { toQueueMessage } = load<typeof import('../shared/inbound/envelope')>('shared/inbound/envelope');
    const journal = QueueJournal.open(join(dataDir, 'queues'));
    const queue = new LocalQueue(inboundName, spec, undefined, Date.now, journal);
    await journal.start();
    const phones = contacts(3_000_000, 500);
    for (let i = 0; i < pending; i++) {
      const from = phones[i % phones.length]!;
      const m = toQueueMessage(
        account.id,
        { type: 'message', providerMessageId: `SMrecov${String(i).padStart(26, '0')}`, from, to: account.phone, text: `pending ${i}`, media: [], parts: [{ type: 'text', text: `pending ${i}` }] },
        new Date().toISOString(),
      );
      queue.send({ body: m.body, groupId: m.groupId!, deduplicationId: m.deduplicationId! });
    }
    await journal.close();

    // The first receive of the restarted engine's inbound queue that hands out a message.
    let firstReceiveAt: number | undefined;
    const receive = LocalQueue.prototype.receive;
    LocalQueue.prototype.receive = function (this: InstanceType<typeof LocalQueue>, max: number) {
      const taken = receive.call(this, max);
      if (taken.length > 0 && firstReceiveAt === undefined && this.name === inboundName) firstReceiveAt = performance.now();
      return taken;
    };
    const startedAt = performance.now();
    const second = await startEngine(options);
    const readyMs = performance.now() - startedAt;
    try {
      const deadline = performance.now() + 30_000;
      while (firstReceiveAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const firstMs = firstReceiveAt === undefined ? Number.NaN : firstReceiveAt - startedAt;
      const recovered = lines.find((l) => l.startsWith('recovered') && !l.startsWith('recovered 0 '));
      console.log(`  ${recovered ?? 'no recovery line'}`);
      console.log(`  engine start ${num(readyMs / 1000, 2)} s (store, journal replay, presence, timers); first redelivery ${num(firstMs / 1000, 2)} s after the start`);
      summary.push({ figure: `r. recovery: first redelivery (${pending} pending)`, value: firstMs / 1000, unit: 's', kind: 'max', target: 5, note: `engine start ${num(readyMs / 1000, 2)} s` });
    } finally {
      LocalQueue.prototype.receive = receive;
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A process's resident memory in bytes (Linux /proc), 0 when unknown. */
function storeRss(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Recipients of the campaign phase e sends before the one it measures. */
const WARM_UP_RECIPIENTS = 100;

/**
 * e. A WhatsApp campaign to a fake Meta that only counts: each template send answers a wamid at once and is recorded
 * as (recipient, arrival time). The rate is taken over each full minute of sending; RSS is the whole process (engine,
 * its consumer threads, the fake and this bench), sampled every second, growth measured from just before the start;
 * the embedded store's process is sampled and printed apart.
 */
async function phaseE(): Promise<void> {
  const { createServer } = await import('node:http');
  const total = Math.max(100, Number(flags['campaign-recipients']) || 10_000);
  const rate = 50;
  const arrivals: number[] = [];
  const perPhone = new Map<string, number>();
  let seq = 0;
  const fakeMeta = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to?: string; type?: string };
        if (body.type === 'template' && body.to) {
          arrivals.push(Date.now());
          perPhone.set(body.to, (perPhone.get(body.to) ?? 0) + 1);
        }
      } catch {
        // not a send
      }
      seq += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [], messages: [{ id: `wamid.bench${seq}` }] }));
    });
  });
  await new Promise<void>((r) => fakeMeta.listen(0, '127.0.0.1', r));
  const fakeUrl = `http://127.0.0.1:${(fakeMeta.address() as { port: number }).port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-campaign-'));
  const engine = await startEngine({ httpPort: 0, wsPort: 0, inMemory: true, dataDir, consumerThreads: THREADS, scheduleEveryMs: 0, env: { LOG_LEVEL: 'warn', PROVIDER_BASE_URL_META: fakeUrl }, log: () => undefined });
  try {
    const { createList, createContact } = load<typeof import('../shared/store/lists')>('shared/store/lists');
    const { createAccount } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts');
    const { settingsSchema } = load<typeof import('../shared/admin/account-schema')>('shared/admin/account-schema');
    const { insertTemplate } = load<typeof import('../shared/store/templates')>('shared/store/templates');
    const lifecycle = load<typeof import('../shared/campaigns/lifecycle')>('shared/campaigns/lifecycle');
    const list = await createList({ name: 'Bench campaign' });
    const account = await createAccount({
      channel: 'whatsapp',
      name: 'Bench Meta',
      key: 'bnchm',
      type: 'meta',
      phone: '+393331234567',
      listId: list.id,
      credentials: { wabaId: '1029', accessToken: 'bench-token', appId: '41', appSecret: 'bench-secret', phoneNumberId: '1065' },
      settings: settingsSchema.parse({}),
    });
    const at = new Date().toISOString();
    const templateId = `bench${Date.now()}`;
    await insertTemplate({
      id: templateId,
      accountId: account.id,
      provider: 'meta',
      name: 'bench_offer',
      language: 'it',
      category: 'MARKETING',
      parameterFormat: 'POSITIONAL',
      components: [{ type: 'BODY', text: 'Ciao {{1}}', examples: ['Maria'] }],
      parameters: { header: [], body: ['1'] },
      status: 'APPROVED',
      statusAt: at,
      createdAt: at,
      updatedAt: at,
      version: 1,
    });
    const phones = Array.from({ length: total }, (_, i) => `+39342${String(i).padStart(7, '0')}`);
    const loadStarted = performance.now();
    for (let i = 0; i < phones.length; i += 50) {
      await Promise.all(phones.slice(i, i + 50).map((phone, j) => createContact({ listId: list.id, phone, firstName: `C${i + j}` })));
    }
    console.log(`\ne. campaign: ${total} contacts written in ${num((performance.now() - loadStarted) / 1000)} s; sending at ${rate}/s (about ${Math.ceil(total / rate)} s)`);
    // The engine sends a small campaign first, as an engine that has been running has: the sender's modules, its
    // clients and their pools are loaded once, on a first send, and that is start-up, not growth during a campaign.
    const { getCampaign } = load<typeof import('../shared/store/campaigns')>('shared/store/campaigns');
    const warmList = await createList({ name: 'Bench campaign warm-up' });
    const warmPhones = Array.from({ length: WARM_UP_RECIPIENTS }, (_, i) => `+39343${String(i).padStart(7, '0')}`);
    await Promise.all(warmPhones.map((phone, i) => createContact({ listId: warmList.id, phone, firstName: `W${i}` })));
    const warm = await lifecycle.createCampaign({ accountId: account.id, name: 'warm-up', templateId, listIds: [warmList.id], parameters: { '1': { field: 'firstName' } }, schedule: {}, ratePerSecond: rate });
    await lifecycle.startCampaign(warm.id);
    for (const until = Date.now() + 60_000; (await getCampaign(warm.id))?.status !== 'completed' && Date.now() < until; ) await new Promise((r) => setTimeout(r, 250));
    for (const phone of warmPhones) perPhone.delete(phone);
    arrivals.length = 0;
    console.log(`   warm-up campaign of ${WARM_UP_RECIPIENTS} sent first (the sender's first load is start-up, not growth)`);
    const campaign = await lifecycle.createCampaign({ accountId: account.id, name: 'bench', templateId, listIds: [list.id], parameters: { '1': { field: 'firstName' } }, schedule: {}, ratePerSecond: rate });
    (globalThis as { gc?: () => void }).gc?.();
    const rssStart = process.memoryUsage().rss;
    let rssMax = rssStart;
    // The embedded store is a process of its own (dynoxide holds the table in its memory): sampled apart, not counted.
    const storeStart = storeRss(engine.storePid);
    let storeMax = storeStart;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      storeMax = Math.max(storeMax, storeRss(engine.storePid));
    }, 1000);
    await lifecycle.startCampaign(campaign.id);
    const deadline = Date.now() + (total / rate) * 1000 * 3 + 120_000;
    let last = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 2000));
      const c = await getCampaign(campaign.id);
      if (arrivals.length - last >= rate * 30) {
        last = arrivals.length;
        console.log(`   ${arrivals.length}/${total} sent, rss ${num(process.memoryUsage().rss / 1e6, 0)} MB`);
      }
      if (c?.status === 'completed' || Date.now() > deadline) break;
    }
    clearInterval(sampler);
    const rssEnd = process.memoryUsage().rss;
    const first = arrivals[0] ?? 0;
    const minutes: number[] = [];
    for (let start = first; start + 60_000 <= (arrivals[arrivals.length - 1] ?? 0); start += 60_000) {
      minutes.push(arrivals.filter((t) => t >= start && t < start + 60_000).length / 60);
    }
    const overall = arrivals.length > 1 ? (arrivals.length - 1) / ((arrivals[arrivals.length - 1]! - first) / 1000) : Number.NaN;
    const doubled = [...perPhone.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const missing = phones.filter((p) => !perPhone.has(p)).length;
    const worst = minutes.length ? minutes.reduce((w, m) => (Math.abs(m - rate) > Math.abs(w - rate) ? m : w), minutes[0]!) : overall;
    console.log(`   per full minute: ${minutes.map((m) => num(m, 2)).join(', ') || 'n/a'} messages/s; overall ${num(overall, 2)}/s`);
    console.log(`   ${arrivals.length} sends, ${doubled} doubled, ${missing} missing; rss ${num(rssStart / 1e6, 0)} MB at the start, ${num(rssMax / 1e6, 0)} MB at most, ${num(rssEnd / 1e6, 0)} MB at the end`);
    console.log(
      `   the figure is this process (engine, its consumer thread, the fake Meta, this bench); the store (dynoxide, pid ${engine.storePid ?? 'n/a'}) is apart: ` +
        `${num(storeStart / 1e6, 0)} MB at the start, ${num(storeMax / 1e6, 0)} MB at most (the table's items it holds in memory)`,
    );
    summary.push({ figure: 'e. campaign rate, worst full minute (deviation)', value: Math.abs(worst - rate) / rate * 100, unit: '%', kind: 'max', target: 5, note: `${num(worst, 2)}/s against ${rate}/s` });
    summary.push({ figure: 'e. campaign recipients doubled', value: doubled, unit: '', kind: 'max', target: 0 });
    summary.push({ figure: 'e. campaign recipients missing', value: missing, unit: '', kind: 'max', target: 0, note: `of ${total}` });
    summary.push({ figure: 'e. engine RSS growth during the campaign', value: (rssMax - rssStart) / 1e6, unit: 'MB', kind: 'max', target: 50 });
  } finally {
    await engine.stop();
    await new Promise<void>((r) => fakeMeta.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * l. Login: first attempts of distinct users with the right password, one at a time, so no throttling delay applies;
 * the same KDF measured alone shows what the throttle's budget reads and writes add to an attempt.
 */
async function phaseLogin(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const shared = QUICK ? await inlineRig() : undefined;
  const engine = shared?.r.engine ?? (await startEngine({ httpPort: 0, wsPort: 0, inMemory: true, dataDir, env: { LOG_LEVEL: 'warn' } }));
  try {
    console.log(`\n[engine for l: login${shared ? ", c's" : ''}] ${engine.httpUrl}`);
    const { createAgent } = load<typeof import('../shared/store/agents')>('shared/store/agents');
    const { hashPassword, verifyPassword } = load<typeof import('../shared/domain/password')>('shared/domain/password');
    const password = 'Bench-Pass1!';
    const passwordHash = await hashPassword(password);
    const count = QUICK ? 5 : 40;
    const usernames: string[] = [];
    for (let i = 0; i < count; i++) {
      const agent = await createAgent({ username: `bench${i}`, fullName: `Bench ${i}`, typology: 'webrtc', voicemail: false, remoteControl: false, role: 'agent', disabled: false, passwordHash });
      usernames.push(agent.username);
    }
    const kdf: number[] = [];
    const latencies: number[] = [];
    let refused = 0;
    // Interleaved, so both see the same machine load.
    for (const username of usernames) {
      const kdfStarted = performance.now();
      await verifyPassword(password, passwordHash);
      kdf.push(performance.now() - kdfStarted);
      const started = performance.now();
      const res = await fetch(`${engine.httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      if (res.status !== 200) refused += 1;
    }
    const [p50, p99, k50] = [percentile(latencies, 50), percentile(latencies, 99), percentile(kdf, 50)];
    console.log('\n=== l. Login, first attempt of each user (target p99 <= 500 ms; throttling adds <= 10 ms at p50)');
    console.log(`  ${count} logins: p50 ${ms(p50)}, p99 ${ms(p99)}; ${refused} not answered 200`);
    console.log(`  the scrypt KDF alone: p50 ${ms(k50)}; login minus KDF at p50: ${ms(p50 - k50)} (HTTP, user read, budgets, token)`);
    summary.push(
      { figure: 'l. login p50 (first attempt)', value: p50, unit: 'ms', kind: 'max', target: 250 },
      { figure: 'l. login p99 (first attempt)', value: p99, unit: 'ms', kind: 'max', target: 500 },
      { figure: 'l. login minus KDF at p50', value: p50 - k50, unit: 'ms', kind: 'max', target: 10, note: 'everything but the password hash' },
    );
  } finally {
    if (shared) await shared.release();
    else await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Phase s (opt-in, `--supervision`, a few minutes: it seeds 100,000 interactions): 10 accounts over 30 days written
 * straight into the store with BatchWriteItem, then a 7-day filtered search through the HTTP API (p99 and items read
 * per page), and an export of all 100,000 rows through the streaming CSV writer the export job uses, with the peak
 * RSS growth sampled while it runs.
 */
async function phaseSupervision(): Promise<void> {
  const TOTAL = QUICK ? 10_000 : 100_000;
  console.log(`\n[s] supervision: ${TOTAL} interactions over 10 accounts and 30 days`);
  const engine = await startEngine({ httpPort: 0, wsPort: 0, inMemory: true, env: { LOG_LEVEL: 'warn' }, log: () => undefined });
  try {
    const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    const { db, TABLE } = load<typeof import('../shared/store/client')>('shared/store/client');
    const { interactionItem } = load<typeof import('../shared/store/interactions')>('shared/store/interactions');
    const { writeCsv } = load<typeof import('../shared/admin/supervision')>('shared/admin/supervision');
    const nowMs = Date.now();
    const accounts = Array.from({ length: 10 }, (_, i) => `BENCHACCOUNT${i}`);
    const items = (i: number) => {
      const createdAt = new Date(nowMs - Math.floor((i / TOTAL) * 30 * 86_400_000) - 1000).toISOString();
      const closed = i % 3 !== 0;
      return interactionItem({
        id: `BENCH${String(i).padStart(8, '0')}`,
        accountId: accounts[i % 10]!,
        channel: i % 4 === 0 ? 'whatsapp' : 'sms',
        contactId: `c${i}`,
        contactPhone: `+39333${String(i).padStart(7, '0')}`,
        listId: 'BENCHLIST',
        status: closed ? 'closed' : 'open',
        createdAt,
        updatedAt: createdAt,
        lastInboundAt: createdAt,
        messageCount: 1 + (i % 9),
        unread: i % 5 === 0 ? 1 : 0,
        version: 1,
        agentId: `agent${i % 25}`,
        ...(closed ? { closedAt: new Date(Date.parse(createdAt) + 600_000).toISOString(), disposition: i % 2 ? 'Solved' : 'Callback' } : {}),
      });
    };
    const seedStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < TOTAL) {
          const start = next;
          next += 25;
          let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
            [TABLE]: Array.from({ length: Math.min(25, TOTAL - start) }, (_, k) => ({ PutRequest: { Item: items(start + k) } })),
          };
          while (request && (request[TABLE]?.length ?? 0) > 0) request = (await db.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems as typeof request;
        }
      }),
    );
    console.log(`  seeded in ${num((performance.now() - seedStarted) / 1000)} s`);

    await engine.bootstrap('Bench-Pass1!');
    const login = await fetch(`${engine.httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'Bench-Pass1!' }) });
    const token = ((await login.json()) as { token: string }).token;
    const body = {
      match: 'all',
      conditions: [
        { field: 'startedAt', operator: 'between', value: [new Date(nowMs - 7 * 86_400_000).toISOString(), new Date(nowMs).toISOString()] },
        { field: 'status', operator: 'equals', value: 'closed' },
        { field: 'channel', operator: 'equals', value: 'sms' },
        { field: 'disposition', operator: 'equals', value: 'Solved' },
      ],
      limit: 50,
    };
    const latencies: number[] = [];
    const reads: number[] = [];
    for (let run = 0; run < (QUICK ? 20 : 100); run++) {
      const t0 = performance.now();
      const res = await fetch(`${engine.httpUrl}/admin/interactions/search`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await res.text();
      latencies.push(performance.now() - t0);
      reads.push(Number(res.headers.get('x-items-read')));
    }
    const p99 = percentile(latencies, 99);
    const readsPerPage = reads.reduce((a, b) => a + b, 0) / reads.length;
    console.log(`  7-day filtered search (4 conditions, page of 50): p50 ${ms(percentile(latencies, 50))}, p99 ${ms(p99)}, items read per page ${num(readsPerPage, 0)}`);
    summary.push({ figure: 's: 7-day filtered search p99', value: p99, unit: 'ms', kind: 'max', target: 200, note: `${num(readsPerPage, 0)} items read per page` });

    const { Writable } = await import('node:stream');
    let bytes = 0;
    const sink = new Writable({ write(chunk: Buffer, _e, done) { bytes += chunk.length; done(); } });
    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    let peak = baseRss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    const exportStarted = performance.now();
    const rows = await writeCsv({ search: { match: 'all', conditions: [{ field: 'startedAt', operator: 'greaterThan', value: new Date(nowMs - 31 * 86_400_000).toISOString() }] } }, sink);
    clearInterval(sampler);
    const growthMb = (peak - baseRss) / 1024 / 1024;
    console.log(`  export: ${rows} rows, ${num(bytes / 1024 / 1024)} MB of CSV in ${num((performance.now() - exportStarted) / 1000)} s, peak RSS growth ${num(growthMb)} MB`);
    summary.push({ figure: `s: ${rows}-row export peak RSS growth`, value: growthMb, unit: 'MB', kind: 'max', target: 100, note: rows === TOTAL ? 'all rows' : `expected ${TOTAL}` });
  } finally {
    await engine.stop();
  }
}

/** g. Routing regexes: no engine, the pure condition the inbound consumer runs. */
function phaseRegex(): void {
  console.log('\n=== g. Routing time for the worst regex accepted by validation (target p50 <= 100 ms; ^(a+)+$ on 31 characters p99 <= 10 ms)');
  const f = measureRegex(QUICK);
  console.log(`  worst accepted: ${f.worstPattern}: p50 ${ms(f.worstP50Ms)}, p99 ${ms(f.worstP99Ms)}; ^(a+)+$ on a 31-character SMS: p99 ${ms(f.redosSmsP99Ms)}`);
  summary.push({ figure: 'g. worst accepted regex (p50)', value: f.worstP50Ms, unit: 'ms', kind: 'max', target: 100, note: `${f.worstPattern}, p99 ${ms(f.worstP99Ms)}` });
  summary.push({ figure: 'g. ^(a+)+$ on a 31-char SMS (p99)', value: f.redosSmsP99Ms, unit: 'ms', kind: 'max', target: 10 });
}

/** z. Cold-start weight: every function's bundle and load time against its floor (bench/bundles.ts). */
async function phaseBundles(): Promise<void> {
  console.log(`\n=== z. Function bundles against their floors (the SDK clients each is granted): size and load time in a fresh process, median of ${QUICK ? QUICK_SAMPLES : 5} (target <= 1.25x each)${QUICK ? `; --quick: ${QUICK_FUNCTIONS.join(', ')}` : ''}`);
  const bench = await measureBundles({ sourceMaps: !QUICK, ...(QUICK ? { names: QUICK_FUNCTIONS, samples: QUICK_SAMPLES } : {}) });
  for (const line of bundleTable(bench)) console.log(`  ${line}`);
  // Functions with an SDK floor are held to a ratio; openapi and asyncapi (no client: a 1 KB floor) to a KB cap.
  const ratioRows = bench.rows.filter((r) => 'ratio' in r.budget);
  const worst = (ratio: (r: (typeof bench.rows)[number]) => number) => ratioRows.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
  if (ratioRows.length === 0) return;
  const size = (r: (typeof bench.rows)[number]) => r.bytes / r.floorBytes;
  const load = (r: (typeof bench.rows)[number]) => r.loadMs / r.floorLoadMs;
  const webhook = bench.rows.find((r) => r.name === 'webhook');
  if (webhook) {
    summary.push({ figure: 'z. webhook bundle size / floor', value: size(webhook), unit: 'x', kind: 'max', target: 1.25, note: `${(webhook.bytes / 1024).toFixed(0)} KB` });
    summary.push({ figure: 'z. webhook load time / floor', value: load(webhook), unit: 'x', kind: 'max', target: 1.25, note: ms(webhook.loadMs) });
  }
  const bySize = worst(size);
  const byLoad = worst(load);
  summary.push({ figure: 'z. largest bundle size / floor', value: size(bySize), unit: 'x', kind: 'max', target: 1.25, note: bySize.name });
  summary.push({ figure: 'z. largest load time / floor', value: load(byLoad), unit: 'x', kind: 'max', target: 1.25, note: byLoad.name });
  const over = ratioRows.filter((r) => size(r) > 1.25 || load(r) > 1.25).map((r) => r.name);
  summary.push({ figure: 'z. functions over 1.25x (size or load)', value: over.length, unit: '', kind: 'max', target: 0, note: `of ${ratioRows.length}: ${over.join(', ')}`.slice(0, 60) });
}

/** How long each phase took, engine start and stop included: where a run's time goes (printed at the end). */
const phaseTimes: string[] = [];

async function timed(phases: string, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } finally {
    phaseTimes.push(`${phases} ${num((performance.now() - started) / 1000, 1)} s`);
  }
}

/**
 * The full bench runs each phase (a, f and b together: b's ratio needs f's floor) in a Node process of its own, one
 * after another, so that no figure carries what an earlier phase left behind in the same heap: the collections of
 * its garbage, its compiled code, its timers. An engine in production does not host a load generator's history. A
 * phase process (`SWITCHBOARD_BENCH_PHASE` names the file it writes) hands back its summary rows, its time and what
 * later phases pace themselves from (`Carried`). --quick keeps one process: its c, q and l share one engine.
 */
const PHASE_OUT = process.env.SWITCHBOARD_BENCH_PHASE;

interface PhaseResult {
  summary: Row[];
  phaseTimes: string[];
  carried: Carried;
}

/** The command line this bench was given, without the options named (and the value of `--only`). */
function argsBut(drop: string[]): string[] {
  const args = process.argv.slice(2);
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.replace(/^--/, '').split('=')[0]!;
    if (!drop.includes(name)) kept.push(arg);
    else if (name === 'only' && !arg.includes('=')) i++;
  }
  return kept;
}

async function runPhaseProcess(only: string, extra: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-phase-'));
  const out = join(dir, 'result.json');
  const carried: Carried = { lifecycleRequests, followUpRequests, storeFloor };
  const args = [...process.execArgv, __filename, ...argsBut(['only', 'campaign', 'campaign-only']), ...extra, '--only', only];
  try {
    const code = await new Promise<number | null>((res, rej) => {
      const child = spawn(process.execPath, args, {
        stdio: 'inherit',
        env: { ...process.env, SWITCHBOARD_BENCH_PHASE: out, SWITCHBOARD_BENCH_CARRIED: JSON.stringify(carried) },
      });
      child.on('error', rej);
      child.on('exit', (c) => res(c));
    });
    let result: PhaseResult;
    try {
      result = JSON.parse(readFileSync(out, 'utf8')) as PhaseResult;
    } catch {
      throw new Error(`its process ended (exit ${code}) without its figures`);
    }
    summary.push(...result.summary);
    phaseTimes.push(...result.phaseTimes);
    ({ lifecycleRequests, followUpRequests, storeFloor } = result.carried);
  } catch (error) {
    // One phase that cannot run still leaves the others' figures.
    console.error(`\nphase ${only}: ${(error as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The full bench's phases, each in its own process, in the order the single-process bench runs them. */
async function isolatedPhases(): Promise<void> {
  const groups: [string, string[]][] = [['a,b,f', ['a', 'b', 'f']], ['r', ['r']], ['c', ['c']], ['d', ['d']], ['q', ['q']], ['l', ['l']], ['console', ['console']], ['g', ['g']], ['z', ['z']]];
  if (!flags['campaign-only']) for (const [only, letters] of groups) if (runs(...letters)) await runPhaseProcess(only, []);
  if (flags.campaign || flags['campaign-only']) await runPhaseProcess('e', ['--campaign-only']);
}

async function main(): Promise<void> {
  const benchStarted = performance.now();
  if (PHASE_OUT) {
    // A phase process: its figures go to the bench that started it, which prints them with everyone else's.
    try {
      await phases();
    } finally {
      const result: PhaseResult = { summary, phaseTimes, carried: { lifecycleRequests, followUpRequests, storeFloor } };
      writeFileSync(PHASE_OUT, JSON.stringify(result));
    }
    return;
  }
  if (flags.supervision) {
    try {
      await phaseSupervision();
    } finally {
      printSummary();
    }
    return;
  }
  try {
    console.log('Switchboard bench: in-process local engines (a, b, r on disk with durable queues; c, d in memory)');
    console.log(`  machine: ${machineLoad()}`);
    console.log(`  load client: ${flags.client === 'inline' ? 'inline (same event loop as the engine)' : 'worker thread'}${QUICK ? '; --quick phases' : ''}`);
    console.log(`  heap growth past the live set before a full collection: ${heapGrowingPercent === undefined ? "V8's own" : `${heapGrowingPercent}%`} (SWITCHBOARD_HEAP_GROWING_PERCENT, as npm start)`);
    if (!httpRoutes.some((r) => r.path.startsWith('/webhooks/'))) throw new Error('the webhook route is not in lib/wiring.ts');
    if (QUICK) await phases();
    else {
      console.log('  each phase in a Node process of its own (a, f and b share one)');
      await isolatedPhases();
    }
  } finally {
    printSummary();
    console.log(`\nmachine at the end: ${machineLoad()}`);
    console.log(`bench took ${num((performance.now() - benchStarted) / 1000)} s${phaseTimes.length ? ` (phases: ${phaseTimes.join(', ')})` : ''}`);
  }
}

/** The phases this process runs, in order. */
async function phases(): Promise<void> {
  if (!flags['campaign-only']) {
    if (runs('a', 'b', 'f')) await timed('a, f, b', phasesAB);
    if (runs('r')) await timed('r', phaseRecovery);
    if (runs('c')) await timed('c', phaseC);
    // --quick runs d after q and l: they share c's engine, and an engine start points the shared modules at its store.
    if (!QUICK && runs('d')) await timed('d', phaseD);
    if (runs('q')) await timed('q', phaseQueues);
    if (runs('l')) await timed('l', phaseLogin);
    await stopQuickInline();
    if (QUICK && runs('d')) await timed('d', phaseD);
    if (!QUICK && runs('console')) await timed('console', consoleBench);
    if (runs('g')) await timed('g', async () => phaseRegex());
    if (runs('z')) await timed('z', phaseBundles);
  }
  if (flags.campaign || flags['campaign-only']) await timed('e', phaseE);
}

main()
  .then(() => process.exit(0))
  .catch((error: Error) => {
    // A bench never fails a build: say loudly that there are no figures, and exit 0.
    console.error(`bench could not run: ${error.stack ?? error.message}`);
    process.exit(0);
  });
