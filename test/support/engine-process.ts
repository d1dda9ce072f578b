/**
 * The local engine as a real child process, started the way `npm start` starts it (node --import tsx bin/local.ts) in a process
 * group of its own, so a test can kill -9 the whole group or send it SIGTERM, and start it again on the same data
 * directory. Its endpoints are read from the lines it prints when it is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface EngineProcess {
  pid: number;
  httpUrl: string;
  wsUrl: string;
  storeEndpoint: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<number | string>;
  /** Signals the whole process group (the engine, tsx and anything they started in it). */
  signal(signal: NodeJS.Signals): void;
}

export async function startEngineProcess(options: {
  dataDir: string;
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}): Promise<EngineProcess> {
  // What `npm start` runs: node itself (tsx as an import hook), so signals reach the engine with no wrapper between.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/local.ts', '--data-dir', options.dataDir, '--port', '0', '--ws-port', '0', ...(options.args ?? [])],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)));
  const pid = child.pid ?? -1;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // the group is gone already
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  for (;;) {
    if (/ready in \d+ ms/.test(out)) break;
    const ended = await Promise.race([exited, new Promise((r) => setTimeout(r, 50)).then(() => undefined)]);
    if (ended !== undefined) throw new Error(`the engine exited (${ended}) before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      signal('SIGKILL');
      throw new Error(`the engine was not ready in time:\n${out}`);
    }
  }
  const find = (re: RegExp) => {
    const m = re.exec(out);
    if (!m?.[1]) throw new Error(`no ${re} in the engine's output:\n${out}`);
    return m[1];
  };
  return {
    pid,
    httpUrl: find(/HTTP API\s+(http:\/\/[\d.:]+)/),
    wsUrl: find(/WebSocket API\s+(ws:\/\/[\d.:]+)/),
    storeEndpoint: find(/store\s+(http:\/\/[\d.:]+)/),
    output: () => out,
    exited,
    signal,
  };
}

/** kill -9 of the engine's whole process group; resolves once the engine process is gone. */
export async function killHard(engine: EngineProcess): Promise<void> {
  engine.signal('SIGKILL');
  await engine.exited;
}

/** Polls `check` until it stops throwing; fails with its last error at the deadline. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
