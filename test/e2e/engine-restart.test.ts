/**
 * A restart loses no timer: the engine keeps timers in its own persisted store, so a timer armed before a stop fires
 * after the next start on the same data directory. The engine runs its own dynoxide here (not the run's shared one),
 * and stopping the engine stops that child process.
 */
import { openSocket, SocketRefusedError, within } from '../support/engine';
import { request } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type Engine, type EngineOptions } from '../../lib/local/engine';
import type { TimerEvent } from '../../shared/ports/timers';

// jest reads testTimeout from the global config only, never from a project entry, so the file sets its own.
jest.setTimeout(30_000);

/* eslint-disable @typescript-eslint/no-require-imports -- shared modules are loaded only once an engine has set the
   environment they read, as the engine loads the functions. */
const timersPort = () => require('../../shared/ports/timers') as typeof import('../../shared/ports/timers');
const dispatch = () => require('../../shared/timers/dispatch') as typeof import('../../shared/timers/dispatch');
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The pid of the dynoxide this test's engine started on `dbPath` (a fresh temporary path), from /proc (dynoxide is a
 * Linux binary). It runs under the engine's watchdog shell, so it is found by its database, not by its parent.
 */
function dynoxidePid(dbPath: string): number {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('dynoxide') && cmdline.includes(dbPath)) return Number(entry);
    } catch {
      // the process ended while it was being read
    }
  }
  throw new Error(`no dynoxide child on ${dbPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('engine restart', () => {
  const dataDirs: string[] = [];
  const running: Engine[] = [];
  const freshDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-restart-'));
    dataDirs.push(dir);
    return dir;
  };
  const optionsFor = (dataDir: string): EngineOptions => ({
    httpPort: 0,
    wsPort: 0,
    dataDir,
    inMemory: false,
    visibilityTimeoutSeconds: 1,
  });
  const start = async (options: EngineOptions) => {
    const engine = await startEngine(options);
    running.push(engine);
    return engine;
  };

  afterAll(async () => {
    await Promise.all(running.map((e) => e.stop()));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('fires a timer armed before a stop once a new engine starts on the same data directory', async () => {
    const options = optionsFor(freshDataDir());
    const dbPath = join(options.dataDir!, 'store.db');
    const first = await start(options);
    const firstStore = dynoxidePid(dbPath);
    const timer: TimerEvent = {
      name: 'int-restart-wait-agent',
      kind: 'restart-check',
      dueAt: Date.now() + 1500,
      payload: { version: 1 },
    };
    await timersPort().armTimer(timer);

    await first.stop();
    expect(Date.now()).toBeLessThan(timer.dueAt);
    expect(isAlive(firstStore)).toBe(false);
    // A restart is a new process: the next engine loads the shared modules afresh (see the failing test below).
    jest.resetModules();
    const fired = new Promise<{ timer: TimerEvent; at: number }>((resolve) =>
      dispatch().onTimer('restart-check', async (t) => resolve({ timer: t, at: Date.now() })),
    );
    const second = await start(options);
    const secondStore = dynoxidePid(dbPath);
    const restartedAt = Date.now();

    const { timer: got, at } = await within(fired, 10_000, 'the timer armed before the restart');
    expect(got).toEqual(timer);
    expect(at).toBeGreaterThanOrEqual(Math.max(timer.dueAt, restartedAt));
    await second.stop();
    expect(isAlive(secondStore)).toBe(false);
  });

  // A second engine in the same process (a new dynoxide on a new port) must talk to its own store: the store,
  // queue and notifier clients follow the reloaded configuration.
  it('serves a second engine started in the same process from its own store', async () => {
    jest.resetModules();
    const first = await start(optionsFor(freshDataDir()));
    await first.bootstrap('Restart-Passw0rd');
    expect((await fetch(`${first.httpUrl}/health`)).status).toBe(200);
    await first.stop();

    const second = await start(optionsFor(freshDataDir()));
    // A new data directory: its own store has no admin yet, so the engine is not ready until its bootstrap.
    const before = await fetch(`${second.httpUrl}/health`);
    await second.bootstrap('Restart-Passw0rd');
    const res = await fetch(`${second.httpUrl}/health`);

    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: 'starting' });
    expect(res.status).toBe(200);
  });
  it('answers new HTTP requests and WebSocket upgrades 503 with Retry-After once a stop begins, and lets one in flight finish', async () => {
    const engine = await start({ ...optionsFor(freshDataDir()), gracePeriodMs: 5000 });
    expect((await fetch(`${engine.httpUrl}/openapi.json`)).status).toBe(200);
    // A request in flight: its headers are in, its body not yet.
    const body = JSON.stringify({ hello: 'world' });
    const slow = request(`${engine.httpUrl}/webhooks/nobody/nothing`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answered = new Promise<number>((resolve, reject) => {
      slow.once('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.once('error', reject);
    });
    slow.write(body.slice(0, 3));
    await new Promise((r) => setTimeout(r, 200));

    const stopping = engine.stop();
    const refused = await fetch(`${engine.httpUrl}/openapi.json`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    const upgrade = await openSocket(engine.wsUrl).then(
      () => 0,
      (error: unknown) => (error instanceof SocketRefusedError ? error.status : -1),
    );
    expect(upgrade).toBe(503);

    slow.end(body.slice(3));
    // The one in flight is served by the engine (an unknown account), not refused as the stop's new requests are.
    expect(await within(answered, 5000, 'the in-flight request')).not.toBe(503);
    await within(stopping, 10_000, 'the stop');
  });
  it('says at start whether its queues are durable, and what it recovered', async () => {
    const lines: string[] = [];
    const durable = await start({ ...optionsFor(freshDataDir()), log: (line) => lines.push(line) });
    await durable.stop();
    expect(lines.join('\n')).toMatch(/durable: written and flushed before a send is acknowledged/);
    expect(lines.join('\n')).toMatch(/recovered \d+ queued message/);

    lines.length = 0;
    const memory = await start({ ...optionsFor(freshDataDir()), inMemory: true, log: (line) => lines.push(line) });
    await memory.stop();
    expect(lines.join('\n')).toMatch(/in memory only: a stop or a crash loses what they hold/);
  });
});
