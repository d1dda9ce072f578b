/**
 * The local engine for end-to-end tests: `useEngine()` starts one in-process engine per test file on the run's
 * dynoxide and this file's table (see env.ts), on free ports, and stops it after the file. Plus the small waiting
 * helpers e2e tests need so that nothing sleeps for a fixed time.
 */
import WebSocket from 'ws';
import { startEngine, type Engine, type EngineOptions } from '../../lib/local/engine';

export type TestEngine = Engine & {
  /** When startEngine resolved (epoch ms). */
  readyAt: number;
};

export function engineOptions(options: EngineOptions = {}): EngineOptions {
  return {
    httpPort: 0,
    wsPort: 0,
    ddbEndpoint: process.env.DDB_ENDPOINT,
    tableName: process.env.TABLE_NAME,
    inMemory: true,
    visibilityTimeoutSeconds: 1,
    ...options,
  };
}

/** Starts the engine before the file's tests and stops it after them; call at the top level of a test file. */
export function useEngine(options: EngineOptions = {}): () => TestEngine {
  let engine: TestEngine | undefined;
  beforeAll(async () => {
    const started = await startEngine(engineOptions(options));
    engine = Object.assign(started, { readyAt: Date.now() });
  }, 30_000);
  afterAll(async () => {
    await engine?.stop();
  }, 30_000);
  return () => {
    if (!engine) throw new Error('the engine is not running: call useEngine() at the top level of the test file');
    return engine;
  };
}

/** Polls `check` until it stops throwing (or rejecting), then returns its value; fails with its last error at the deadline. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, everyMs = 20): Promise<T> {
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

/** Rejects after `ms` with a message naming what was awaited, so a missing event fails fast and clearly. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SocketRefusedError extends Error {
  constructor(readonly status: number) {
    super(`the WebSocket upgrade was refused with ${status}`);
  }
}

/** Opens a WebSocket; rejects with SocketRefusedError carrying the HTTP status when the upgrade is refused. */
export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (req, res) => {
      reject(new SocketRefusedError(res.statusCode ?? 0));
      req.destroy();
    });
    ws.once('error', reject);
  });
}

/** The next text frame on the socket that satisfies `match`, parsed as JSON. */
export function nextMessage<T = unknown>(
  ws: WebSocket,
  match: (data: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  let listener: ((data: WebSocket.RawData) => void) | undefined;
  const received = new Promise<T>((resolve) => {
    listener = (data) => {
      let parsed: T;
      try {
        parsed = JSON.parse(data.toString()) as T;
      } catch {
        return;
      }
      if (match(parsed)) resolve(parsed);
    };
    ws.on('message', listener);
  });
  return within(received, timeoutMs, 'a WebSocket message').finally(() => ws.off('message', listener!));
}

/** Closes the socket and resolves once the close handshake is done. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}
