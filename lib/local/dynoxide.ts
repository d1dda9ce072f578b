/**
 * Starts dynoxide (a DynamoDB-compatible server shipped in an npm package) as a child process on loopback, in
 * memory or persisted to a file, and waits until it answers. The child dies with its parent: stop() ends it, and a
 * watchdog ends it when the parent dies without calling stop() (see WATCHDOG).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface RunningStore {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export function dynoxideBinary(): string {
  const path = join(dirname(require.resolve('@dynoxide/linux-x64/package.json')), 'dynoxide');
  if (!existsSync(path)) throw new Error(`dynoxide binary not found at ${path}`);
  return path;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * dynoxide runs under a small shell watchdog in a process group of its own: a Ctrl-C or a SIGTERM sent to the
 * engine's group does not stop the store under requests that are still finishing (the engine stops it last), and
 * when the engine dies however it dies (kill -9 included) its end of the watchdog's stdin closes and the watchdog
 * stops dynoxide, so no store outlives its engine.
 */
const WATCHDOG =
  'if [ "${STORE_NICE:-0}" -gt 0 ] && command -v nice >/dev/null; then nice -n "$STORE_NICE" "$0" "$@" </dev/null & else "$0" "$@" </dev/null & fi; ' +
  'child=$!; echo "pid $child"; read -r _; kill -TERM "$child" 2>/dev/null; wait "$child"';

/**
 * `nice`: how much lower than the engine the store runs; 0 leaves it as it is. The store starts under nice(1), so
 * every thread it ever has inherits the value: renicing a running store raced with the threads it was still
 * creating, and a thread born between the listing and the renice kept the engine's priority.
 */
export async function startDynoxide(options: { dbPath?: string; port?: number; nice?: number } = {}): Promise<RunningStore> {
  const port = options.port ?? (await freePort());
  const args = ['--host', '127.0.0.1', '--port', String(port)];
  if (options.dbPath) {
    mkdirSync(dirname(options.dbPath), { recursive: true });
    args.push('--db-path', options.dbPath);
  }
  const child: ChildProcess = spawn('/bin/sh', ['-c', WATCHDOG, dynoxideBinary(), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, STORE_NICE: String(Math.max(0, Math.min(19, Math.trunc(options.nice ?? 0)))) },
  });
  let storePid = -1;
  const killOnExit = () => {
    if (storePid > 0) {
      try {
        process.kill(storePid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const pidLine = new Promise<number>((resolvePid) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /pid (\d+)\n/.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolvePid(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
  });
  const endpoint = `http://127.0.0.1:${port}`;

  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`dynoxide exited with ${code}: ${stderr.trim()}`))),
  );
  exited.catch(() => undefined);
  storePid = await Promise.race([pidLine, exited]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = await Promise.race([ping(endpoint), exited]);
    if (ready) break;
    if (Date.now() > deadline) {
      killOnExit();
      throw new Error(`dynoxide did not answer on ${endpoint} within 10 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  return {
    endpoint,
    pid: storePid,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // The watchdog stops dynoxide (SIGTERM, so it closes its database cleanly) and waits for it.
        child.stdin?.end('stop\n');
        setTimeout(killOnExit, 5000).unref();
      }),
  };
}

async function ping(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    await res.arrayBuffer();
    // Any answer means it is listening (an unsigned request gets a 400).
    return true;
  } catch {
    return false;
  }
}
