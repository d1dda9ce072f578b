/**
 * The body of a function-host worker thread: it loads function modules on demand and invokes their handlers for
 * the engine, which runs queue consumers here so they use a second core, the way Lambda runs consumers apart from
 * the API. Each worker is like a separate Lambda container: its own module state, caches and clients.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { lowerThisThread } from './priority';

interface Invoke {
  id: number;
  entry: string;
  event: unknown;
  context: Record<string, unknown>;
}

const ROOT = join(__dirname, '..', '..');
lowerThisThread(Number((workerData as { nice?: number } | null)?.nice ?? 0));
const handlers = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();

function handlerOf(entry: string) {
  let handler = handlers.get(entry);
  if (!handler) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require(join(ROOT, entry)) as { handler: (event: unknown, context: unknown) => Promise<unknown> }).handler;
    handlers.set(entry, handler);
  }
  return handler;
}

parentPort?.on('message', (message: Invoke) => {
  const context = { ...message.context, getRemainingTimeInMillis: () => 30_000 };
  Promise.resolve()
    .then(() => handlerOf(message.entry)(message.event, context))
    .then(
      (result) => parentPort?.postMessage({ id: message.id, result }),
      (error: Error) => parentPort?.postMessage({ id: message.id, error: { name: error?.name, message: error?.message, stack: error?.stack } }),
    );
});
