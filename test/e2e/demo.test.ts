/**
 * `npm run demo` as a newcomer runs it: a fresh in-memory engine with the built-in fake provider, the demo tenant
 * seeded through the API, customer messages waiting in the queue; signing in as a printed demo agent and coming
 * online delivers an offer to the agent's socket, and a reply goes out through the fake provider.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type WebSocket from 'ws';
import { closeSocket, nextMessage, openSocket } from '../support/engine';
import { ROOT } from '../support/engine-process';

jest.setTimeout(120_000);

let pid = -1;
let child: ChildProcess | undefined;
let out = '';
let exited: Promise<number | string>;
let ws: WebSocket | undefined;

afterAll(async () => {
  if (ws) await closeSocket(ws);
  if (pid > 0) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // stopped gracefully
    }
  }
  child?.stdout?.destroy();
  child?.stderr?.destroy();
});

async function demoOutput(): Promise<string> {
  child = spawn('npm', ['run', 'demo', '--', '--port', '0', '--ws-port', '0'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', SWITCHBOARD_ADMIN_PASSWORD: '' },
  });
  pid = child.pid ?? -1;
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  exited = new Promise((r) => child!.once('exit', (code, signal) => r(code ?? signal ?? -1)));
  const deadline = Date.now() + 90_000;
  while (!/nothing leaves this machine/.test(out)) {
    const ended = await Promise.race([exited, new Promise((r) => setTimeout(r, 100)).then(() => undefined)]);
    if (ended !== undefined) throw new Error(`npm run demo exited (${ended}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm run demo did not finish seeding:\n${out}`);
  }
  return out;
}

const find = (text: string, re: RegExp): string => {
  const m = re.exec(text);
  if (!m?.[1]) throw new Error(`no ${re} in:\n${text}`);
  return m[1];
};

describe('npm run demo', () => {
  it('seeds a demo tenant whose waiting customers are offered to a demo agent who comes online', async () => {
    const text = await demoOutput();
    const httpUrl = find(text, /HTTP API\s+(http:\/\/[\d.:]+)/);
    const wsUrl = find(text, /WebSocket API\s+(ws:\/\/[\d.:]+)/);
    expect(find(text, /console\s+(\S+)/)).toBe(`${httpUrl}/console/`);
    expect(text).toMatch(/supervisor\s+\S+\s+password \S+/);
    expect(text).toMatch(/waiting\s+3 customer conversations/);
    const [, username, password] = /agent\s+(\S+)\s+password (\S+)/.exec(text) ?? [];
    expect(username).toBeDefined();

    // The console page is served.
    expect((await fetch(`${httpUrl}/console/`)).status).toBe(200);

    const login = await fetch(`${httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    ws = await openSocket(`${wsUrl}/?token=${encodeURIComponent(token)}`);
    const offered = nextMessage<{ type: string; interactionId: string; text: string; accountId: string }>(ws, (m) => m.type === 'interaction.offered', 30_000);

    expect((await fetch(`${httpUrl}/agent/presence`, { method: 'PUT', headers: auth, body: JSON.stringify({ status: 'online' }) })).status).toBe(200);

    const offer = await offered;
    expect(offer.text).toMatch(/Account: Demo/);
    const sent = nextMessage<{ type: string; interactionId: string }>(ws, (m) => m.type === 'message.sent' && m.interactionId === offer.interactionId, 30_000);
    expect((await fetch(`${httpUrl}/agent/interactions/${offer.interactionId}/accept`, { method: 'POST', headers: auth })).status).toBe(200);
    expect((await fetch(`${httpUrl}/agent/interactions/${offer.interactionId}/reply`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'Hello from the demo' }) })).status).toBe(202);
    // The reply went to the built-in fake provider and came back sent.
    expect((await sent).interactionId).toBe(offer.interactionId);
  });
});
