/**
 * `npm run smoke -- --url <HTTP API URL> --ws <WebSocket URL>`: the deployer's smoke test, after `cdk deploy` (the
 * stack outputs HttpApiUrl and WebSocketUrl) or against a local engine. It goes through the product end to end over
 * the public APIs only: health; the admin's login (SWITCHBOARD_ADMIN_PASSWORD); a throwaway list, agent and Twilio
 * account; the agent's WebSocket connection; a correctly signed simulated inbound Twilio webhook; the event that
 * reaches the agent; then it removes everything it created. Each step prints its result and time; the first failure
 * stops the run (the clean-up still runs) and the exit code is 1; a usage mistake exits 2.
 *
 * It needs no AWS credentials and no access to the store: the Twilio credentials it signs with are the ones it gave
 * the throwaway account. Nothing is sent to Twilio (the agent never replies).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { twilioProvider } from '../shared/providers/twilio';

const USAGE = `usage: npm run smoke -- --url <HTTP API URL> --ws <WebSocket URL> [options]

Runs a throwaway conversation through a deployed stage (or a local engine) and removes it again.

  --url URL         the HTTP API (the stack output HttpApiUrl; locally http://127.0.0.1:3000)
  --ws URL          the WebSocket API (the stack output WebSocketUrl; locally ws://127.0.0.1:3001)
  --username NAME   the admin to log in as (default: SWITCHBOARD_ADMIN_USERNAME, or admin)
  --timeout SEC     how long to wait for each answer and for the agent's event (default 30)
  -h, --help        this help

The admin's password is read from SWITCHBOARD_ADMIN_PASSWORD (never from the command line).`;

export class UsageError extends Error {}
class StepError extends Error {}

export interface Options {
  url: string;
  ws: string;
  username: string;
  password: string;
  timeoutMs: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the smoke test reads the bodies it checks
type Body = any;

/** The options from the command line and the environment; undefined for --help. Throws UsageError. */
export function parseOptions(argv: string[]): Options | undefined {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        ws: { type: 'string' },
        username: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const url = (name: string, value: string | undefined, schemes: string[]): string => {
    if (!value) throw new UsageError(`--${name} is required`);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new UsageError(`--${name} '${value}' is not a URL`);
    }
    if (!schemes.includes(parsed.protocol)) throw new UsageError(`--${name} must be a ${schemes.join(' or ')} URL, got '${value}'`);
    return value.replace(/\/+$/, '');
  };
  const timeout = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout must be a positive number of seconds');
  const password = process.env.SWITCHBOARD_ADMIN_PASSWORD;
  if (!password) throw new UsageError("set SWITCHBOARD_ADMIN_PASSWORD to the admin's password");
  return {
    url: url('url', values.url, ['http:', 'https:']),
    ws: url('ws', values.ws, ['ws:', 'wss:']),
    username: values.username ?? process.env.SWITCHBOARD_ADMIN_USERNAME ?? 'admin',
    password,
    timeoutMs: timeout * 1000,
  };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

class Smoke {
  private readonly cleanups: { name: string; run: () => Promise<void> }[] = [];
  private steps = 0;
  failed = false;

  constructor(
    readonly options: Options,
    private readonly print: (line: string) => void,
  ) {}

  /** Runs one step, prints its outcome and time; after a failure, no further step runs. */
  async step<T>(name: string, run: () => Promise<T>, detail: (value: T) => string = () => ''): Promise<T> {
    if (this.failed) throw new StepError('skipped');
    const started = performance.now();
    try {
      const value = await run();
      this.steps += 1;
      this.print(`  ok    ${name.padEnd(40)} ${this.ms(started)}  ${detail(value)}`.trimEnd());
      return value;
    } catch (error) {
      this.failed = true;
      this.print(`  FAIL  ${name.padEnd(40)} ${this.ms(started)}  ${(error as Error).message}`);
      throw new StepError(name);
    }
  }

  /** Registers how to remove what a step created; the clean-up runs them newest first. */
  created(name: string, run: () => Promise<void>): void {
    this.cleanups.push({ name, run });
  }

  /** Removes everything created, even after a failure; a removal that fails is reported and fails the run. */
  async cleanUp(): Promise<boolean> {
    if (this.cleanups.length === 0) return true;
    this.print('clean-up:');
    let clean = true;
    for (const { name, run } of this.cleanups.reverse()) {
      const started = performance.now();
      try {
        await run();
        this.print(`  ok    ${name.padEnd(40)} ${this.ms(started)}`);
      } catch (error) {
        clean = false;
        this.print(`  FAIL  ${name.padEnd(40)} ${this.ms(started)}  ${(error as Error).message} (remove it by hand)`);
      }
    }
    return clean;
  }

  get passedSteps(): number {
    return this.steps;
  }

  private ms(started: number): string {
    return `${(performance.now() - started).toFixed(0).padStart(6)} ms`;
  }

  /** One HTTP request to the API; anything but the expected status is an error quoting the answer. */
  async call(method: string, path: string, options: { token?: string; body?: unknown; expect?: number[] } = {}): Promise<Body> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.options.url}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new Error(`${method} ${path}: no answer (${(error as Error).message})`);
    }
    const text = await res.text();
    const expected = options.expect ?? [200];
    if (!expected.includes(res.status)) {
      throw new Error(`${method} ${path} answered ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`);
    }
    return text && (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Body) : undefined;
  }
}

/** Opens the agent's WebSocket and collects its events from the first frame on. */
function connect(url: string, token: string, timeoutMs: number): Promise<{ socket: WebSocket; events: Body[] }> {
  const target = `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target, { handshakeTimeout: timeoutMs });
    const events: Body[] = [];
    socket.on('message', (data) => {
      try {
        events.push(JSON.parse(data.toString()));
      } catch {
        // Not an event: ignored.
      }
    });
    socket.once('open', () => resolve({ socket, events }));
    socket.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`the WebSocket upgrade was refused with ${res.statusCode ?? 0}`));
    });
    socket.once('error', (error) => reject(new Error(`cannot connect to ${url}: ${error.message}`)));
  });
}

async function waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, 5000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close();
  });
}

/** The run itself; returns the exit code. */
export async function smoke(options: Options, print: (line: string) => void = console.log): Promise<number> {
  const s = new Smoke(options, print);
  const started = performance.now();
  const run = `smoke${hex(3)}`;
  print(`smoke: ${options.url} and ${options.ws}, run ${run}`);
  try {
    await s.step('health', () => s.call('GET', '/health'), (b: Body) => (b?.status ? `status ${String(b.status)}` : ''));
    const admin: string = await s.step(
      'admin login',
      async () => (await s.call('POST', '/auth/login', { body: { username: options.username, password: options.password } })).token,
      () => options.username,
    );

    const list = await s.step('create a throwaway list', () => s.call('POST', '/admin/lists', { token: admin, body: { name: `Smoke test ${run}` }, expect: [201] }), (b: Body) => b.id);
    s.created(`delete list ${list.id}`, async () => {
      const contacts = await s.call('GET', `/admin/lists/${list.id}/contacts`, { token: admin });
      for (const c of (contacts?.items ?? []) as { id: string }[]) {
        await s.call('DELETE', `/admin/lists/${list.id}/contacts/${c.id}`, { token: admin, expect: [204, 404] });
      }
      await s.call('DELETE', `/admin/lists/${list.id}`, { token: admin, expect: [204, 404] });
    });

    const agentPassword = `Smoke-${hex(6)}1a!`;
    const agent = await s.step(
      'create a throwaway agent',
      () => s.call('POST', '/admin/agents', { token: admin, expect: [201], body: { fullName: `Smoke test ${run}`, username: run, role: 'agent', password: agentPassword } }),
      (b: Body) => `${b.id} (${run})`,
    );
    s.created(`delete agent ${agent.id}`, () => s.call('DELETE', `/admin/agents/${agent.id}`, { token: admin, expect: [204, 404] }));

    const credentials = { accountSid: `AC${hex(16)}`, authToken: hex(16) };
    const phone = `+1415555${'01'}${digits(2)}`;
    const account = await s.step(
      'create a throwaway Twilio account',
      () =>
        s.call('POST', '/admin/accounts', {
          token: admin,
          expect: [201],
          body: { channel: 'sms', name: `Smoke test ${run}`, key: `S${hex(2).toUpperCase()}`, type: 'twilio', phone, listId: list.id, credentials },
        }),
      (b: Body) => `${b.id} (${phone})`,
    );
    s.created(`delete account ${account.id}`, () => s.call('DELETE', `/admin/accounts/${account.id}`, { token: admin, expect: [204, 404] }));
    await s.step('make the agent a member of the account', () => s.call('PUT', `/admin/accounts/${account.id}/agents/${agent.id}`, { token: admin, expect: [200, 204] }));

    const agentToken: string = await s.step('agent login', async () => (await s.call('POST', '/auth/login', { body: { username: run, password: agentPassword } })).token);
    const { socket, events } = await s.step('agent WebSocket connects', () => connect(options.ws, agentToken, options.timeoutMs));
    s.created('close the agent WebSocket', () => closeSocket(socket));
    await s.step('agent goes online', () => s.call('PUT', '/agent/presence', { token: agentToken, body: { status: 'online' } }));

    const customer = `+39333${digits(7)}`;
    const providerMessageId = `SM${hex(16)}`;
    const text = `smoke test ${run}`;
    await s.step(
      'signed inbound Twilio webhook',
      async () => {
        const receiveUrl = String(account.receiveUrl);
        const [, , proxyToken = ''] = /\/webhooks\/([^/]+)\/([^/?]+)/.exec(new URL(receiveUrl).pathname) ?? [];
        const request = twilioProvider.simulateInbound(
          { url: receiveUrl, providerMessageId, from: customer, to: phone, text, timestampMs: Date.now() },
          credentials,
          { id: account.id, channel: 'sms', phone, proxyToken },
        );
        // Signed for the account's public receive URL; sent to the same path of the API given (they differ behind
        // a custom domain or a tunnel).
        const signed = new URL(request.url);
        const res = await fetch(`${options.url}${signed.pathname}${signed.search}`, {
          method: request.method,
          headers: request.headers,
          ...(request.body !== undefined ? { body: request.body } : {}),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const answer = await res.text();
        if (res.status !== 200) throw new Error(`the webhook answered ${res.status}: ${answer.slice(0, 300)}`);
        return res.status;
      },
      (status) => `${status}, message ${providerMessageId} from ${customer}`,
    );

    const event = await s.step(
      'agent receives the event',
      () =>
        waitFor(
          () => events.find((e) => e?.accountId === account.id && typeof e.interactionId === 'string' && e.type !== 'presence.changed'),
          options.timeoutMs,
          "the agent's event about the new interaction",
        ),
      (e: Body) => `${String(e.type)} for interaction ${String(e.interactionId)}`,
    );
    // Created by the webhook: closed so that nothing stays open on the deleted account.
    s.created(`close interaction ${String(event.interactionId)}`, async () => {
      await s.call('POST', `/agent/interactions/${String(event.interactionId)}/accept`, { token: agentToken, expect: [200, 204, 409] });
      await s.call('POST', `/agent/interactions/${String(event.interactionId)}/close`, { token: agentToken, body: {}, expect: [200, 204, 409] });
    });
  } catch (error) {
    if (!(error instanceof StepError)) {
      s.failed = true;
      print(`  FAIL  ${(error as Error).message}`);
    }
  }
  const clean = await s.cleanUp();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (s.failed) {
    print(`smoke: FAILED after ${s.passedSteps} step(s) passed, in ${seconds} s`);
    return 1;
  }
  if (!clean) {
    print(`smoke: every step passed, but the clean-up left something behind (${seconds} s)`);
    return 1;
  }
  print(`smoke: passed, ${s.passedSteps} steps in ${seconds} s`);
  return 0;
}

async function main(): Promise<void> {
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`smoke: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!options) {
    console.log(USAGE);
    return;
  }
  process.exit(await smoke(options));
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`smoke: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}
